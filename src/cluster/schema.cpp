// Field-error rendering and CompiledSchema's request-time entry points. Compilation and the
// structural checks live in schema_compile.cpp, the walks in schema_validate.cpp and
// schema_mutate.cpp.
#include "serin/cluster/schema.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "schema_internal.h"

namespace serin::cluster {
namespace schema_internal {

std::string goQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

// Go's %v for float64 is %g with the shortest round-trip digits, and switches to exponent
// notation when the decimal exponent is below -4 or at least 6 (fmt.Println(1e6) is "1e+06").
// kube-apiserver prints schema bounds (float64) this way, so messages must too.
std::string goFloat(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "d.ddde+XX"
  size_t e_pos = sci.find('e');
  std::string mantissa = sci.substr(0, e_pos);
  int exponent = std::stoi(sci.substr(e_pos + 1));
  bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof(exp_buf), "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    return out + exp_buf;
  }
  if (exponent < 0)
    return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  auto int_len = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_len) return out + digits + std::string(int_len - digits.size(), '0');
  return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

std::string_view jsonTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    default:
      return "unknown";
  }
}

std::string renderValue(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return goQuote("null");
    case Json::value_t::string:
      return goQuote(value.get_ref<const std::string&>());
    case Json::value_t::number_float:
      return goFloat(value.get<double>());
    default:
      return value.dump();
  }
}

}  // namespace schema_internal

using schema_internal::goQuote;
using schema_internal::renderValue;

std::string_view fieldErrorTypeText(FieldErrorType type) {
  switch (type) {
    case FieldErrorType::kNotFound:
      return "Not found";
    case FieldErrorType::kRequired:
      return "Required value";
    case FieldErrorType::kDuplicate:
      return "Duplicate value";
    case FieldErrorType::kInvalid:
    case FieldErrorType::kTypeInvalid:
      return "Invalid value";
    case FieldErrorType::kNotSupported:
      return "Unsupported value";
    case FieldErrorType::kForbidden:
      return "Forbidden";
    case FieldErrorType::kTooLong:
      return "Too long";
    case FieldErrorType::kTooMany:
      return "Too many";
    case FieldErrorType::kInternal:
      return "Internal error";
  }
  return "Invalid value";
}

std::string FieldError::toString() const {
  std::string out = field;
  out += ": ";
  out += fieldErrorTypeText(type);
  // kube omits the value for these types even when one is known.
  bool omit_value = type == FieldErrorType::kRequired || type == FieldErrorType::kForbidden ||
                    type == FieldErrorType::kTooLong || type == FieldErrorType::kInternal;
  if (!omit_value && bad_value.has_value()) {
    out += ": ";
    out += renderValue(*bad_value);
  }
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

std::string invalidMessage(std::string_view qualified_kind, std::string_view name,
                           const FieldErrors& errors) {
  std::vector<std::string> messages;
  std::set<std::string> seen;
  for (const FieldError& error : errors) {
    std::string text = error.toString();
    if (seen.insert(text).second) messages.push_back(std::move(text));
  }
  std::string out = std::string(qualified_kind) + " " + goQuote(name) + " is invalid: ";
  if (messages.size() == 1) return out + messages.front();
  out += '[';
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) out += ", ";
    out += messages[i];
  }
  return out + ']';
}

Status invalidStatus(std::string_view qualified_kind, std::string_view name,
                     const FieldErrors& errors) {
  return Status(StatusCode::kInvalid, invalidMessage(qualified_kind, name, errors), "Invalid");
}

std::string unknownFieldMessage(std::string_view path) { return "unknown field " + goQuote(path); }

std::vector<std::string> SchemaCompilation::celWarnings() const {
  std::vector<std::string> out;
  out.reserve(cel_rules.size());
  for (const CelRule& rule : cel_rules) {
    out.push_back(rule.path + ": CEL rule " + goQuote(rule.rule) +
                  " is not enforced by this server (x-kubernetes-validations are skipped)");
  }
  return out;
}

CompiledSchema::CompiledSchema(std::unique_ptr<schema_internal::Node> root)
    : root_(std::move(root)) {}

CompiledSchema::~CompiledSchema() = default;

FieldErrors CompiledSchema::validate(const Json& object) const {
  FieldErrors errors;
  schema_internal::validateValue(*root_, object, "", /*is_root=*/true, errors);
  return errors;
}

std::vector<std::string> CompiledSchema::prune(Json& object) const {
  std::vector<std::string> pruned;
  schema_internal::pruneValue(*root_, object, /*is_root=*/true, pruned);
  return pruned;
}

CompiledSchema::WriteResult CompiledSchema::admit(Json& object) const {
  WriteResult result;
  result.unknown_fields = prune(object);
  applyDefaults(object);
  result.errors = validate(object);
  return result;
}

}  // namespace serin::cluster
