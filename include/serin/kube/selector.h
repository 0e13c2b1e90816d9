// Label and field selectors, with Kubernetes' grammar, validation, matching and printing.
//
// Rollouts find their ReplicaSets and pods through spec.selector (a LabelSelector struct),
// informers list with "?labelSelector=" strings, and the embedded API server must evaluate both
// label and field selectors exactly as kube-apiserver does. Parsing errors must read like
// Kubernetes' own so users recognise them.
//
// Label selector string grammar (k8s.io/apimachinery/pkg/labels):
//   selector    := requirement ( "," requirement )*        whitespace between tokens ignored
//   requirement := "!" key | key | key ("=" | "==" | "!=") value
//                | key ("in" | "notin") "(" value ( "," value )* ")" | key (">" | "<") integer
// Keys are qualified names ([prefix/]name, name <= 63 chars, prefix a DNS subdomain); values are
// <= 63 chars of [A-Za-z0-9._-] starting and ending alphanumeric, or empty. Requirements are
// kept sorted by key; toString() prints them canonically ("a in (x,y),!b,c=d" sorted by key).
//
// Field selectors (k8s.io/apimachinery/pkg/fields): "a=b", "a==b", "a!=b" terms separated by
// ",", with "\," "\=" "\\" escapes in values; no whitespace trimming. A field is any dotted path
// into the object JSON ("metadata.name", "status.phase"); a missing field reads as "".
//
// Selectors are immutable values; all functions are thread-safe and never throw.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "serin/kube/object.h"
#include "serin/util/status.h"

namespace serin::kube {

class LabelSelector {
 public:
  enum class Operator {
    kIn,
    kNotIn,
    kEquals,
    kDoubleEquals,
    kNotEquals,
    kExists,
    kDoesNotExist,
    kGreaterThan,
    kLessThan
  };

  struct Requirement {
    std::string key;
    Operator op = Operator::kExists;
    std::vector<std::string> values;  // sorted
    friend bool operator==(const Requirement&, const Requirement&) = default;
  };

  // Matches everything (an empty selector, as Kubernetes' Everything()).
  LabelSelector() = default;
  // Matches nothing (a nil LabelSelector in Kubernetes).
  static LabelSelector nothing();

  // The string form; "" parses to the empty selector (matches everything).
  static StatusOr<LabelSelector> parse(std::string_view text);
  // A metav1.LabelSelector JSON struct: {matchLabels: {...}, matchExpressions: [{key,
  // operator: In|NotIn|Exists|DoesNotExist, values}]}. JSON null is nothing(), {} is
  // everything. Invalid for unknown operators, In/NotIn without values, values with
  // Exists/DoesNotExist, and bad keys or values.
  static StatusOr<LabelSelector> fromJson(const Json& j);

  bool matches(const std::map<std::string, std::string>& labels) const;
  // True for the match-everything selector.
  bool empty() const { return !nothing_ && requirements_.empty(); }
  bool isNothing() const { return nothing_; }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  std::string toString() const;

  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;

 private:
  bool nothing_ = false;
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  struct Term {
    std::string field;
    std::string value;
    bool negated = false;  // "!="
    friend bool operator==(const Term&, const Term&) = default;
  };

  FieldSelector() = default;  // matches everything

  // Invalid names the selector and the term it could not understand.
  static StatusOr<FieldSelector> parse(std::string_view text);

  bool matches(const Object& object) const;
  bool empty() const { return terms_.empty(); }
  const std::vector<Term>& terms() const { return terms_; }
  // "metadata.name=web,status.phase!=Running" (values escaped).
  std::string toString() const;

  friend bool operator==(const FieldSelector&, const FieldSelector&) = default;

 private:
  std::vector<Term> terms_;
};

}  // namespace serin::kube
