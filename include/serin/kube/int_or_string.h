// kube::IntOrString: the Kubernetes field type that holds either an int32 or a string.
//
// Ports, maxSurge/maxUnavailable and similar fields accept `3` or `"25%"`. The value must
// round-trip unchanged (an int stays an int in the JSON), and percentages are resolved against
// a total with explicit rounding, which decides how many pods a rollout may add or remove.
//
// Two resolution rules exist and both matter:
//   * Kubernetes (intstr.GetScaledValueFromIntOrPercent): a string must end in "%".
//   * Argo Rollouts (the legacy helper its controller uses): every string is a percentage, "%"
//     optional, so maxSurge "25" means 25 %, not 25 pods (rollouts-behaviour.md §11.1).
// In both, the percentage of `total` is rounded up or down as asked (maxSurge rounds up,
// maxUnavailable rounds down).
//
// IntOrString is a value type; functions are thread-safe and never throw.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "serin/util/status.h"

namespace serin::kube {

class IntOrString {
 public:
  IntOrString() = default;                            // int 0
  IntOrString(int32_t v) : is_int_(true), int_(v) {}  // NOLINT(google-explicit-constructor)
  IntOrString(std::string s)                          // NOLINT(google-explicit-constructor)
      : is_int_(false), str_(std::move(s)) {}
  IntOrString(const char* s) : IntOrString(std::string(s)) {}  // NOLINT

  // A JSON number that is an integer in int32 range, or a JSON string; anything else Invalid.
  static StatusOr<IntOrString> fromJson(const nlohmann::json& j);
  nlohmann::json toJson() const;

  bool isInt() const { return is_int_; }
  bool isString() const { return !is_int_; }
  int32_t intValue() const { return int_; }                // 0 for strings
  const std::string& stringValue() const { return str_; }  // "" for ints
  // "3" or "25%": for messages.
  std::string toString() const { return is_int_ ? std::to_string(int_) : str_; }

  friend bool operator==(const IntOrString&, const IntOrString&) = default;

 private:
  bool is_int_ = true;
  int32_t int_ = 0;
  std::string str_;
};

// Kubernetes' rule: an int is returned as is; a string must be "<int>%" and yields
// ceil/floor(percent * total / 100). Invalid for "25" (no "%") or "abc%".
StatusOr<int> scaledValueFromIntOrPercent(const IntOrString& value, int total, bool round_up);

// Argo Rollouts' rule: as above, but every string is a percentage and all "%" characters are
// ignored, so "25" and "25%" both mean 25 %. Invalid when what is left is not an integer.
StatusOr<int> argoScaledValueFromIntOrPercent(const IntOrString& value, int total, bool round_up);

}  // namespace serin::kube
