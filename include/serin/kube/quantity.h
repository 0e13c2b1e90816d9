// kube::Quantity: Kubernetes resource quantities ("100m", "1.5Gi", "2e3", "500Mi").
//
// Resource requests and limits, and anything else typed resource.Quantity, are fixed-point
// decimals written with a suffix. Serin compares them (is the canary asking for more CPU?), does
// arithmetic in milli-units, and must print them exactly as Kubernetes does so that a diff
// against the API server's copy is empty: "1.5" prints "1500m", "1.5Gi" prints "1536Mi",
// "1000" prints "1k".
//
// Semantics follow k8s.io/apimachinery resource.Quantity: the suffix chooses the format
// (DecimalSI: n u m "" k M G T P E; BinarySI: Ki Mi Gi Ti Pi Ei; DecimalExponent: e<n>/E<n>);
// values are kept to nanounit precision, anything finer rounds away from zero (0.1n -> 1n).
// Differences: magnitudes are capped at 2^63-1 units in every format (Kubernetes caps BinarySI
// only and keeps larger decimals as big numbers).
//
// Quantity is an immutable value type; all functions are thread-safe and never throw.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "serin/util/status.h"

namespace serin::kube {

__extension__ typedef __int128 QuantityInt128;  // GCC/Clang extension; -Wpedantic-clean.

class Quantity {
 public:
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  Quantity() = default;  // zero, DecimalSI

  // Parses the Kubernetes text form; Invalid names the text and what is wrong with it.
  static StatusOr<Quantity> parse(std::string_view text);
  static Quantity fromMilli(int64_t milli, Format format = Format::kDecimalSI);
  static Quantity fromValue(int64_t value, Format format = Format::kDecimalSI);

  // Value in thousandths, rounded away from zero (Kubernetes MilliValue); saturates at int64.
  int64_t milliValue() const;
  // Integer value rounded away from zero (Kubernetes Value: "1.2" -> 2, "-1.2" -> -2).
  int64_t value() const;
  Format format() const { return format_; }
  bool isZero() const { return nanos_ == 0; }
  int sign() const { return nanos_ < 0 ? -1 : nanos_ > 0 ? 1 : 0; }

  // The canonical form Kubernetes prints. As in Kubernetes, text that was already canonical is
  // echoed as written (so "+1k" stays "+1k" and "01" stays "01").
  std::string toString() const;

  // Compare by value; the format does not matter ("1Ki" == "1024").
  friend bool operator==(const Quantity& a, const Quantity& b) { return a.nanos_ == b.nanos_; }
  friend std::strong_ordering operator<=>(const Quantity& a, const Quantity& b) {
    return a.nanos_ <=> b.nanos_;
  }

 private:
  Quantity(QuantityInt128 nanos, Format format) : nanos_(nanos), format_(format) {}

  QuantityInt128 nanos_ = 0;  // value * 10^9
  Format format_ = Format::kDecimalSI;
  std::string original_;  // the parsed text when Kubernetes would echo it
};

}  // namespace serin::kube
