// Validation of a JSON value against a compiled schema node, in kube-apiserver's words.
//
// The walk mirrors how kube-apiserver reports CRD validation failures: a type mismatch stops
// the checks of that value; otherwise every keyword is checked and every error kept. Details
// name the field relative to the validated value ("spec.replicas in body should be ..."),
// while the error's field may carry a prefix (the CRD path of a default value).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

#include "schema_internal.h"

namespace serin::cluster::schema_internal {
namespace {

// libstdc++'s regex executor recurses per input character; beyond this length a match
// could exhaust a request thread's stack, so such values are rejected instead.
constexpr size_t kMaxPatternInput = 16 * 1024;

bool isWholeNumber(double d) { return std::isfinite(d) && std::floor(d) == d; }

bool typeMatches(Type type, const Json& value) {
  switch (type) {
    case Type::kAny:
      return true;
    case Type::kObject:
      return value.is_object();
    case Type::kArray:
      return value.is_array();
    case Type::kString:
      return value.is_string();
    case Type::kInteger:
      return value.is_number_integer() ||
             (value.is_number_float() && isWholeNumber(value.get<double>()));
    case Type::kNumber:
      return value.is_number();
    case Type::kBoolean:
      return value.is_boolean();
  }
  return true;
}

size_t utf8Length(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool allDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int toInt(std::string_view digits) {
  int out = 0;
  for (char c : digits) out = out * 10 + (c - '0');
  return out;
}

bool isDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!allDigits(s.substr(0, 4)) || !allDigits(s.substr(5, 2)) || !allDigits(s.substr(8, 2))) {
    return false;
  }
  int month = toInt(s.substr(5, 2));
  int day = toInt(s.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool isTimezone(std::string_view s) {
  if (s == "Z" || s == "z") return true;
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return false;
  return allDigits(s.substr(1, 2)) && allDigits(s.substr(4, 2)) && toInt(s.substr(1, 2)) < 24 &&
         toInt(s.substr(4, 2)) < 60;
}

// RFC 3339 date-time, as kube-openapi's strfmt accepts it (T, t or space as separator).
bool isDateTime(std::string_view s) {
  if (s.size() < 20 || !isDate(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  std::string_view time = s.substr(11);
  if (time.size() < 9 || time[2] != ':' || time[5] != ':') return false;
  if (!allDigits(time.substr(0, 2)) || !allDigits(time.substr(3, 2)) ||
      !allDigits(time.substr(6, 2))) {
    return false;
  }
  if (toInt(time.substr(0, 2)) > 23 || toInt(time.substr(3, 2)) > 59 ||
      toInt(time.substr(6, 2)) > 60) {
    return false;
  }
  std::string_view rest = time.substr(8);
  if (!rest.empty() && rest[0] == '.') {
    size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 1) return false;
    rest.remove_prefix(digits);
  }
  return isTimezone(rest);
}

bool isBase64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t padding = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0 || !(alnum || c == '+' || c == '/')) return false;
  }
  return padding <= 2;
}

bool isUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    char c = s[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash_position ? c != '-' : !hex) return false;
  }
  return true;
}

bool isIpv4(std::string_view s) {
  int parts = 0;
  while (true) {
    size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    if (part.empty() || part.size() > 3 || !allDigits(part) || toInt(part) > 255) return false;
    if (part.size() > 1 && part[0] == '0') return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

bool stringMatchesFormat(Format format, std::string_view s) {
  switch (format) {
    case Format::kDateTime:
      return isDateTime(s);
    case Format::kDate:
      return isDate(s);
    case Format::kByte:
      return isBase64(s);
    case Format::kUuid:
      return isUuid(s);
    case Format::kIpv4:
      return isIpv4(s);
    default:
      return true;
  }
}

bool numberMatchesFormat(Format format, const Json& value) {
  if (format != Format::kInt32 && format != Format::kInt64) return true;
  if (value.is_number_unsigned()) {
    uint64_t limit = format == Format::kInt32 ? std::numeric_limits<int32_t>::max()
                                              : std::numeric_limits<int64_t>::max();
    return value.get<uint64_t>() <= limit;
  }
  if (value.is_number_integer()) {
    int64_t v = value.get<int64_t>();
    return format == Format::kInt64 ||
           (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max());
  }
  double d = value.get<double>();
  double bound = format == Format::kInt32 ? 2147483648.0 : 9223372036854775808.0;
  return isWholeNumber(d) && d >= -bound && d < bound;
}

bool isMultipleOf(const Json& value, double factor) {
  if (value.is_number_integer() && isWholeNumber(factor) && factor < 9.0e18) {
    auto divisor = static_cast<int64_t>(factor);
    if (value.is_number_unsigned())
      return value.get<uint64_t>() % static_cast<uint64_t>(divisor) == 0;
    return value.get<int64_t>() % divisor == 0;
  }
  double quotient = value.get<double>() / factor;
  return std::fabs(quotient - std::round(quotient)) <= 1e-9 * std::max(1.0, std::fabs(quotient));
}

class Validator {
 public:
  Validator(std::string_view field_prefix, std::string rel_path, FieldErrors& errors)
      : prefix_(field_prefix), rel_(std::move(rel_path)), errors_(errors) {}

  void validate(const Node& node, const Json& value, bool is_root);

 private:
  std::string field() const {
    if (prefix_.empty()) return rel_.str();
    if (rel_.str().empty()) return std::string(prefix_);
    if (rel_.str().front() == '[') return std::string(prefix_) + rel_.str();
    return std::string(prefix_) + "." + rel_.str();
  }
  // kube-openapi's "<name> in body <rest>"; the name is empty at the top of a default value.
  std::string inBody(std::string_view rest) const {
    std::string out = rel_.str();
    out += out.empty() ? "in body " : " in body ";
    out += rest;
    return out;
  }
  void add(FieldErrorType type, std::optional<Json> value, std::string detail) {
    errors_.push_back({type, field(), std::move(value), std::move(detail)});
  }

  bool checkType(const Node& node, const Json& value);
  void checkEnum(const Node& node, const Json& value);
  void checkNumber(const Node& node, const Json& value);
  void checkString(const Node& node, const std::string& text, const Json& value);
  void checkArray(const Node& node, const Json& value);
  void checkListUniqueness(const Node& node, const Json& value);
  void checkObject(const Node& node, const Json& value, bool is_root);
  void checkEmbedded(const Json& value);
  void checkJunctors(const Node& node, const Json& value);
  // Errors of `node` for `value` at the current path, without recording them.
  FieldErrors trial(const Node& node, const Json& value) const {
    FieldErrors out;
    Validator sub(prefix_, rel_.str(), out);
    sub.validate(node, value, /*is_root=*/false);
    return out;
  }

  std::string_view prefix_;
  PathBuilder rel_;
  FieldErrors& errors_;
};

void Validator::validate(const Node& node, const Json& value, bool is_root) {
  if (!checkType(node, value)) return;
  checkEnum(node, value);
  if (value.is_number()) checkNumber(node, value);
  if (value.is_string()) checkString(node, value.get_ref<const std::string&>(), value);
  if (value.is_array()) checkArray(node, value);
  if (value.is_object()) checkObject(node, value, is_root);
  checkJunctors(node, value);
}

// False when the remaining checks must not run: a type error, or an allowed null.
bool Validator::checkType(const Node& node, const Json& value) {
  if (value.is_null() && node.nullable) return false;
  std::string expected;
  if (node.int_or_string) {
    if (value.is_number_integer() || value.is_string()) return true;
    expected = "integer,string";
  } else if (!typeMatches(node.type, value)) {
    expected = node.type_name;
  } else {
    return !value.is_null();
  }
  std::string_view actual = jsonTypeName(value);
  add(FieldErrorType::kTypeInvalid, Json(actual),
      inBody("must be of type " + expected + ": " + goQuote(actual)));
  return false;
}

void Validator::checkEnum(const Node& node, const Json& value) {
  if (node.enum_values.empty()) return;
  if (std::find(node.enum_values.begin(), node.enum_values.end(), value) !=
      node.enum_values.end()) {
    return;
  }
  std::string supported = "supported values: ";
  for (size_t i = 0; i < node.enum_values.size(); ++i) {
    const Json& allowed = node.enum_values[i];
    if (i > 0) supported += ", ";
    supported +=
        goQuote(allowed.is_string() ? allowed.get_ref<const std::string&>() : allowed.dump());
  }
  add(FieldErrorType::kNotSupported, value, std::move(supported));
}

void Validator::checkNumber(const Node& node, const Json& value) {
  double number = value.get<double>();
  if (node.minimum) {
    bool below = node.exclusive_minimum ? number <= *node.minimum : number < *node.minimum;
    if (below) {
      add(FieldErrorType::kInvalid, value,
          inBody((node.exclusive_minimum ? "should be greater than "
                                         : "should be greater than or equal to ") +
                 goFloat(*node.minimum)));
    }
  }
  if (node.maximum) {
    bool above = node.exclusive_maximum ? number >= *node.maximum : number > *node.maximum;
    if (above) {
      add(FieldErrorType::kInvalid, value,
          inBody((node.exclusive_maximum ? "should be less than "
                                         : "should be less than or equal to ") +
                 goFloat(*node.maximum)));
    }
  }
  if (node.multiple_of && !isMultipleOf(value, *node.multiple_of)) {
    add(FieldErrorType::kInvalid, value,
        inBody("should be a multiple of " + goFloat(*node.multiple_of)));
  }
  if (!numberMatchesFormat(node.format, value)) {
    add(FieldErrorType::kInvalid, value,
        inBody("must be of type " + node.format_name + ": " + goQuote(value.dump())));
  }
}

void Validator::checkString(const Node& node, const std::string& text, const Json& value) {
  if (node.max_length || node.min_length) {
    auto length = static_cast<int64_t>(utf8Length(text));
    if (node.max_length && length > *node.max_length) {
      add(FieldErrorType::kTooLong, std::nullopt,
          "may not be more than " + std::to_string(*node.max_length) + " bytes");
    }
    if (node.min_length && length < *node.min_length) {
      add(FieldErrorType::kInvalid, value,
          inBody("should be at least " + std::to_string(*node.min_length) + " chars long"));
    }
  }
  if (node.pattern) {
    bool matched = false;
    bool evaluated = text.size() <= kMaxPatternInput;
    if (evaluated) {
      try {
        matched = std::regex_search(text, *node.pattern);
      } catch (const std::regex_error&) {
        evaluated = false;
      }
    }
    if (!evaluated) {
      add(FieldErrorType::kInvalid, value,
          inBody("is too long to be matched against '" + node.pattern_source + "'"));
    } else if (!matched) {
      add(FieldErrorType::kInvalid, value, inBody("should match '" + node.pattern_source + "'"));
    }
  }
  if (!stringMatchesFormat(node.format, text)) {
    add(FieldErrorType::kInvalid, value,
        inBody("must be of type " + node.format_name + ": " + goQuote(text)));
  }
}

void Validator::checkArray(const Node& node, const Json& value) {
  auto count = static_cast<int64_t>(value.size());
  if (node.max_items && count > *node.max_items) {
    add(FieldErrorType::kTooMany, count,
        "must have at most " + std::to_string(*node.max_items) + " items");
  }
  if (node.min_items && count < *node.min_items) {
    add(FieldErrorType::kInvalid, count,
        inBody("should have at least " + std::to_string(*node.min_items) + " items"));
  }
  if (node.unique_items) {
    std::set<Json> seen;
    bool duplicate = std::any_of(value.begin(), value.end(),
                                 [&](const Json& item) { return !seen.insert(item).second; });
    if (duplicate) add(FieldErrorType::kInvalid, Json(""), inBody("shouldn't contain duplicates"));
  }
  checkListUniqueness(node, value);
  if (!node.items) return;
  for (size_t i = 0; i < value.size(); ++i) {
    size_t mark = rel_.mark();
    rel_.index(i);
    validate(*node.items, value[i], /*is_root=*/false);
    rel_.reset(mark);
  }
}

void Validator::checkListUniqueness(const Node& node, const Json& value) {
  if (node.list_type != ListType::kSet && node.list_type != ListType::kMap) return;
  std::set<Json> seen;
  for (size_t i = 0; i < value.size(); ++i) {
    const Json& item = value[i];
    Json key = item;
    if (node.list_type == ListType::kMap) {
      if (!item.is_object()) continue;  // the items' type check reports it
      key = Json::object();
      for (const std::string& name : node.list_map_keys) {
        if (auto it = item.find(name); it != item.end()) key[name] = *it;
      }
    }
    if (seen.insert(key).second) continue;
    size_t mark = rel_.mark();
    rel_.index(i);
    add(FieldErrorType::kDuplicate, key, "");
    rel_.reset(mark);
  }
}

void Validator::checkObject(const Node& node, const Json& value, bool is_root) {
  bool envelope = is_root || node.embedded_resource;
  for (const std::string& name : node.required) {
    if (value.contains(name)) continue;
    size_t mark = rel_.mark();
    rel_.field(name);
    add(FieldErrorType::kRequired, std::nullopt, "");
    rel_.reset(mark);
  }
  auto count = static_cast<int64_t>(value.size());
  if (node.max_properties && count > *node.max_properties) {
    add(FieldErrorType::kTooMany, count,
        "must have at most " + std::to_string(*node.max_properties) + " items");
  }
  if (node.min_properties && count < *node.min_properties) {
    add(FieldErrorType::kInvalid, count,
        inBody("should have at least " + std::to_string(*node.min_properties) + " properties"));
  }
  if (node.embedded_resource) checkEmbedded(value);
  for (const auto& [key, child_value] : value.items()) {
    const Node* child = node.fieldSchema(key);
    bool envelope_field = envelope && (key == "apiVersion" || key == "kind" || key == "metadata");
    if (child == nullptr && (envelope_field || node.additional_allowed)) continue;
    size_t mark = rel_.mark();
    rel_.field(key);
    if (child != nullptr) {
      validate(*child, child_value, /*is_root=*/false);
    } else {
      add(FieldErrorType::kForbidden, std::nullopt, inBody("is a forbidden property"));
    }
    rel_.reset(mark);
  }
}

// An embedded object must say what it is, as a top-level object must.
void Validator::checkEmbedded(const Json& value) {
  if (value.empty()) return;
  for (std::string_view key : {"apiVersion", "kind"}) {
    auto it = value.find(key);
    if (it != value.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      continue;
    }
    size_t mark = rel_.mark();
    rel_.field(key);
    add(FieldErrorType::kRequired, std::nullopt, "must not be empty");
    rel_.reset(mark);
  }
}

void Validator::checkJunctors(const Node& node, const Json& value) {
  for (const auto& sub : node.all_of) validate(*sub, value, /*is_root=*/false);
  auto best_failure = [&](const std::vector<std::unique_ptr<Node>>& subs, size_t& passed) {
    std::optional<FieldErrors> best;
    for (const auto& sub : subs) {
      FieldErrors errors = trial(*sub, value);
      if (errors.empty()) {
        ++passed;
      } else if (!best || errors.size() < best->size()) {
        best = std::move(errors);
      }
    }
    return best.value_or(FieldErrors{});
  };
  if (!node.any_of.empty()) {
    size_t passed = 0;
    FieldErrors best = best_failure(node.any_of, passed);
    if (passed == 0) {
      add(FieldErrorType::kInvalid, value, "must validate at least one schema (anyOf)");
      errors_.insert(errors_.end(), best.begin(), best.end());
    }
  }
  if (!node.one_of.empty()) {
    size_t passed = 0;
    FieldErrors best = best_failure(node.one_of, passed);
    if (passed != 1) {
      add(FieldErrorType::kInvalid, value, "must validate one and only one schema (oneOf)");
      if (passed == 0) errors_.insert(errors_.end(), best.begin(), best.end());
    }
  }
  if (node.not_schema && trial(*node.not_schema, value).empty()) {
    add(FieldErrorType::kInvalid, value, "must not validate the schema (not)");
  }
}

}  // namespace

void validateValue(const Node& node, const Json& value, std::string_view field_prefix, bool is_root,
                   FieldErrors& errors) {
  Validator validator(field_prefix, "", errors);
  validator.validate(node, value, is_root);
}

}  // namespace serin::cluster::schema_internal
