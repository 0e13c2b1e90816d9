#include "serin/kube/selector.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <set>

namespace serin::kube {
namespace {

using Operator = LabelSelector::Operator;
using Requirement = LabelSelector::Requirement;

// ---- validation (k8s.io/apimachinery/pkg/util/validation) ----

constexpr size_t kQualifiedNameMaxLength = 63;
constexpr size_t kLabelValueMaxLength = 63;
constexpr size_t kDnsSubdomainMaxLength = 253;
constexpr std::string_view kNameCharsMessage =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], or empty.
bool isNameOrEmpty(std::string_view s) {
  if (s.empty()) return true;
  if (!isAlnum(s.front()) || !isAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool isDnsLabel(std::string_view s) {
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (s.empty() || !lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return lower_alnum(c) || c == '-'; });
}

bool isDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > kDnsSubdomainMaxLength) return false;
  while (true) {
    size_t dot = s.find('.');
    if (!isDnsLabel(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

std::optional<std::string> qualifiedNameError(std::string_view key) {
  std::string_view name = key;
  size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    if (key.find('/', slash + 1) != std::string_view::npos) {
      return "a qualified name " + std::string(kNameCharsMessage) +
             " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
    }
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) return std::string("prefix part must be non-empty");
    if (!isDnsSubdomain(prefix)) {
      return std::string(
          "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
          "characters, '-' or '.', and must start and end with an alphanumeric character");
    }
  }
  if (name.empty()) return std::string("name part must be non-empty");
  if (name.size() > kQualifiedNameMaxLength) {
    return std::string("name part must be no more than 63 characters");
  }
  if (!isNameOrEmpty(name)) return "name part " + std::string(kNameCharsMessage);
  return std::nullopt;
}

Status validateLabelKey(std::string_view key) {
  if (auto error = qualifiedNameError(key)) {
    return invalidError("invalid label key \"" + std::string(key) + "\": " + *error);
  }
  return Status::ok();
}

Status validateLabelValue(std::string_view key, std::string_view value) {
  if (value.size() > kLabelValueMaxLength) {
    return invalidError("invalid label value \"" + std::string(value) + "\" for key \"" +
                        std::string(key) + "\": must be no more than 63 characters");
  }
  if (!isNameOrEmpty(value)) {
    return invalidError("invalid label value \"" + std::string(value) + "\" for key \"" +
                        std::string(key) + "\": a valid label " + std::string(kNameCharsMessage));
  }
  return Status::ok();
}

std::optional<int64_t> parseInt64(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// labels.NewRequirement: validates and builds one requirement; values end up sorted.
StatusOr<Requirement> makeRequirement(std::string key, Operator op,
                                      std::vector<std::string> values) {
  RETURN_IF_ERROR(validateLabelKey(key));
  switch (op) {
    case Operator::kIn:
    case Operator::kNotIn:
      if (values.empty()) {
        return invalidError("key \"" + key +
                            "\": for 'in', 'notin' operators, values set can't be empty");
      }
      break;
    case Operator::kEquals:
    case Operator::kDoubleEquals:
    case Operator::kNotEquals:
      if (values.size() != 1) {
        return invalidError("key \"" + key +
                            "\": exact-match compatibility requires one single value");
      }
      break;
    case Operator::kExists:
    case Operator::kDoesNotExist:
      if (!values.empty()) {
        return invalidError("key \"" + key +
                            "\": values set must be empty for exists and does not exist");
      }
      break;
    case Operator::kGreaterThan:
    case Operator::kLessThan:
      if (values.size() != 1 || !parseInt64(values[0])) {
        return invalidError("key \"" + key +
                            "\": for 'Gt', 'Lt' operators, exactly one integer value is required");
      }
      break;
  }
  for (const auto& value : values) RETURN_IF_ERROR(validateLabelValue(key, value));
  std::sort(values.begin(), values.end());
  return Requirement{std::move(key), op, std::move(values)};
}

void sortByKey(std::vector<Requirement>& requirements) {
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
}

// ---- lexer and parser (k8s.io/apimachinery/pkg/labels/selector.go) ----

enum class Token {
  kError,
  kEnd,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Scanned {
  Token token;
  std::string literal;
};

bool isWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool isSpecial(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::optional<Token> symbolToken(std::string_view s) {
  static constexpr std::pair<std::string_view, Token> kSymbols[] = {
      {")", Token::kClosedPar},     {",", Token::kComma},      {"!", Token::kDoesNotExist},
      {"==", Token::kDoubleEquals}, {"=", Token::kEquals},     {">", Token::kGreaterThan},
      {"<", Token::kLessThan},      {"!=", Token::kNotEquals}, {"(", Token::kOpenPar},
  };
  for (const auto& [text, token] : kSymbols) {
    if (text == s) return token;
  }
  return std::nullopt;
}

std::vector<Scanned> lex(std::string_view s) {
  std::vector<Scanned> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && isWhitespace(s[i])) ++i;
    if (i >= s.size()) break;
    if (isSpecial(s[i])) {
      // Longest run of special characters that still forms a known symbol ("!=" over "!").
      std::string buffer;
      std::optional<Scanned> last;
      while (i < s.size() && isSpecial(s[i])) {
        buffer.push_back(s[i]);
        if (auto token = symbolToken(buffer)) {
          last = Scanned{*token, buffer};
        } else if (last) {
          break;
        }
        ++i;
      }
      if (!last) {
        out.push_back({Token::kError, "error expected: keyword found '" + buffer + "'"});
        return out;
      }
      out.push_back(*last);
      continue;
    }
    size_t start = i;
    while (i < s.size() && !isWhitespace(s[i]) && !isSpecial(s[i])) ++i;
    std::string word(s.substr(start, i - start));
    Token token = word == "in" ? Token::kIn : word == "notin" ? Token::kNotIn : Token::kIdentifier;
    out.push_back({token, std::move(word)});
  }
  out.push_back({Token::kEnd, ""});
  return out;
}

enum class Context { kKeyAndOperator, kValues };

class Parser {
 public:
  explicit Parser(std::string_view text) : items_(lex(text)) {}

  StatusOr<std::vector<Requirement>> parse() {
    std::vector<Requirement> requirements;
    while (true) {
      const Scanned& next = lookahead(Context::kValues);
      if (next.token == Token::kEnd) return requirements;
      if (next.token != Token::kIdentifier && next.token != Token::kDoesNotExist) {
        return error("found '" + next.literal + "', expected: !, identifier, or 'end of string'");
      }
      auto requirement = parseRequirement();
      if (!requirement.isOk()) {
        return invalidError("unable to parse requirement: " + requirement.status().message());
      }
      requirements.push_back(std::move(requirement).value());
      Scanned after = consume(Context::kValues);
      if (after.token == Token::kEnd) return requirements;
      if (after.token != Token::kComma) {
        return error("found '" + after.literal + "', expected: ',' or 'end of string'");
      }
      const Scanned& following = lookahead(Context::kValues);
      if (following.token != Token::kIdentifier && following.token != Token::kDoesNotExist) {
        return error("found '" + following.literal + "', expected: identifier after ','");
      }
    }
  }

 private:
  static Status error(std::string message) { return invalidError(std::move(message)); }

  Scanned adjust(Scanned item, Context context) const {
    // Inside values, "in" and "notin" are ordinary words.
    if (context == Context::kValues && (item.token == Token::kIn || item.token == Token::kNotIn)) {
      item.token = Token::kIdentifier;
    }
    return item;
  }
  const Scanned& lookahead(Context context) {
    peeked_ = adjust(items_[std::min(pos_, items_.size() - 1)], context);
    return peeked_;
  }
  Scanned consume(Context context) {
    Scanned item = adjust(items_[std::min(pos_, items_.size() - 1)], context);
    if (pos_ < items_.size()) ++pos_;
    return item;
  }

  StatusOr<Requirement> parseRequirement() {
    Scanned first = consume(Context::kValues);
    std::optional<Operator> op;
    if (first.token == Token::kDoesNotExist) {
      op = Operator::kDoesNotExist;
      first = consume(Context::kValues);
    }
    if (first.token != Token::kIdentifier) {
      return error("found '" + first.literal + "', expected: identifier");
    }
    RETURN_IF_ERROR(validateLabelKey(first.literal));
    Token next = lookahead(Context::kValues).token;
    if (next == Token::kEnd || next == Token::kComma) {
      return makeRequirement(first.literal, op.value_or(Operator::kExists), {});
    }
    if (op) return makeRequirement(first.literal, *op, {});  // "!a b" fails after this term
    ASSIGN_OR_RETURN(Operator binary, parseOperator());
    std::vector<std::string> values;
    if (binary == Operator::kIn || binary == Operator::kNotIn) {
      ASSIGN_OR_RETURN(values, parseValues());
    } else {
      ASSIGN_OR_RETURN(values, parseExactValue());
    }
    return makeRequirement(first.literal, binary, std::move(values));
  }

  StatusOr<Operator> parseOperator() {
    Scanned item = consume(Context::kKeyAndOperator);
    switch (item.token) {
      case Token::kIn:
        return Operator::kIn;
      case Token::kNotIn:
        return Operator::kNotIn;
      case Token::kEquals:
        return Operator::kEquals;
      case Token::kDoubleEquals:
        return Operator::kDoubleEquals;
      case Token::kNotEquals:
        return Operator::kNotEquals;
      case Token::kGreaterThan:
        return Operator::kGreaterThan;
      case Token::kLessThan:
        return Operator::kLessThan;
      default:
        return error("found '" + item.literal + "', expected: in, notin, =, ==, !=, gt, lt");
    }
  }

  StatusOr<std::vector<std::string>> parseValues() {
    Scanned open = consume(Context::kValues);
    if (open.token != Token::kOpenPar) return error("found '" + open.literal + "' expected: '('");
    Scanned next = lookahead(Context::kValues);
    if (next.token == Token::kClosedPar) {
      consume(Context::kValues);
      return std::vector<std::string>{""};  // "()" is the one empty value, as in Kubernetes
    }
    if (next.token != Token::kIdentifier && next.token != Token::kComma) {
      return error("found '" + next.literal + "', expected: ',', ')' or identifier");
    }
    ASSIGN_OR_RETURN(std::set<std::string> values, parseIdentifierList());
    Scanned close = consume(Context::kValues);
    if (close.token != Token::kClosedPar) {
      return error("found '" + close.literal + "', expected: ')'");
    }
    return std::vector<std::string>(values.begin(), values.end());
  }

  // "a,b", "(,a", "a,,b", "a,)": empty slots are the empty value; duplicates collapse.
  StatusOr<std::set<std::string>> parseIdentifierList() {
    std::set<std::string> values;
    while (true) {
      Scanned item = consume(Context::kValues);
      if (item.token == Token::kIdentifier) {
        values.insert(item.literal);
        Scanned next = lookahead(Context::kValues);
        if (next.token == Token::kComma) continue;
        if (next.token == Token::kClosedPar) return values;
        return error("found '" + next.literal + "', expected: ',' or ')'");
      }
      if (item.token != Token::kComma) {
        return error("found '" + item.literal + "', expected: ',', or identifier");
      }
      if (values.empty()) values.insert("");
      Token next = lookahead(Context::kValues).token;
      if (next == Token::kClosedPar) {
        values.insert("");
        return values;
      }
      if (next == Token::kComma) {
        consume(Context::kValues);
        values.insert("");
      }
    }
  }

  StatusOr<std::vector<std::string>> parseExactValue() {
    Token next = lookahead(Context::kValues).token;
    if (next == Token::kEnd || next == Token::kComma) return std::vector<std::string>{""};
    Scanned item = consume(Context::kValues);
    if (item.token == Token::kIdentifier) return std::vector<std::string>{item.literal};
    return error("found '" + item.literal + "', expected: identifier");
  }

  std::vector<Scanned> items_;
  size_t pos_ = 0;
  Scanned peeked_{Token::kEnd, ""};
};

bool requirementMatches(const Requirement& r, const std::map<std::string, std::string>& labels) {
  auto it = labels.find(r.key);
  bool present = it != labels.end();
  auto has_value = [&] {
    return present && std::binary_search(r.values.begin(), r.values.end(), it->second);
  };
  switch (r.op) {
    case Operator::kIn:
    case Operator::kEquals:
    case Operator::kDoubleEquals:
      return has_value();
    case Operator::kNotIn:
    case Operator::kNotEquals:
      return !has_value();
    case Operator::kExists:
      return present;
    case Operator::kDoesNotExist:
      return !present;
    case Operator::kGreaterThan:
    case Operator::kLessThan: {
      if (!present) return false;
      auto actual = parseInt64(it->second);
      auto wanted = parseInt64(r.values.front());
      if (!actual || !wanted) return false;
      return r.op == Operator::kGreaterThan ? *actual > *wanted : *actual < *wanted;
    }
  }
  return false;
}

std::string joinValues(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ",";
    out += values[i];
  }
  return out;
}

std::string requirementString(const Requirement& r) {
  switch (r.op) {
    case Operator::kDoesNotExist:
      return "!" + r.key;
    case Operator::kExists:
      return r.key;
    case Operator::kEquals:
      return r.key + "=" + r.values.front();
    case Operator::kDoubleEquals:
      return r.key + "==" + r.values.front();
    case Operator::kNotEquals:
      return r.key + "!=" + r.values.front();
    case Operator::kGreaterThan:
      return r.key + ">" + r.values.front();
    case Operator::kLessThan:
      return r.key + "<" + r.values.front();
    case Operator::kIn:
      return r.key + " in (" + joinValues(r.values) + ")";
    case Operator::kNotIn:
      return r.key + " notin (" + joinValues(r.values) + ")";
  }
  return r.key;
}

std::optional<Operator> expressionOperator(const Json& op) {
  if (!op.is_string()) return std::nullopt;
  const auto& name = op.get_ref<const std::string&>();
  if (name == "In") return Operator::kIn;
  if (name == "NotIn") return Operator::kNotIn;
  if (name == "Exists") return Operator::kExists;
  if (name == "DoesNotExist") return Operator::kDoesNotExist;
  return std::nullopt;
}

StatusOr<std::vector<std::string>> stringList(const Json& j, std::string_view what) {
  std::vector<std::string> out;
  if (j.is_null()) return out;
  if (!j.is_array()) return invalidError(std::string(what) + " must be a list of strings");
  for (const auto& item : j) {
    if (!item.is_string()) return invalidError(std::string(what) + " must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

StatusOr<Requirement> expressionRequirement(const Json& expr) {
  if (!expr.is_object()) return invalidError("matchExpressions entries must be objects");
  const Json& key = expr.contains("key") ? expr["key"] : Json();
  if (!key.is_string()) return invalidError("matchExpressions entry needs a string key");
  const Json& op_json = expr.contains("operator") ? expr["operator"] : Json();
  auto op = expressionOperator(op_json);
  if (!op) {
    return invalidError(op_json.dump() + " is not a valid label selector operator");
  }
  ASSIGN_OR_RETURN(auto values, stringList(expr.contains("values") ? expr["values"] : Json(),
                                           "matchExpressions values"));
  return makeRequirement(key.get<std::string>(), *op, std::move(values));
}

// ---- field selectors (k8s.io/apimachinery/pkg/fields) ----

// Splits on commas that are not escaped with a backslash.
std::vector<std::string_view> splitTerms(std::string_view s) {
  std::vector<std::string_view> terms;
  size_t start = 0;
  bool escaped = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (escaped) {
      escaped = false;
    } else if (s[i] == '\\') {
      escaped = true;
    } else if (s[i] == ',') {
      terms.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(s.substr(start));
  return terms;
}

StatusOr<std::string> unescapeValue(std::string_view s) {
  std::string out;
  bool in_slash = false;
  for (char c : s) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        return invalidError("invalid escape sequence \"\\" + std::string(1, c) + "\"");
      }
      out.push_back(c);
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      return invalidError("invalid field selector value: unescaped '" + std::string(1, c) + "'");
    } else {
      out.push_back(c);
    }
  }
  if (in_slash) return invalidError("invalid escape sequence \"\\\"");
  return out;
}

std::string escapeValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ',' || c == '=') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// The string value at a dotted path; "" when absent, null, or not a scalar.
std::string fieldValue(const Json& root, std::string_view path) {
  const Json* node = &root;
  while (true) {
    size_t dot = path.find('.');
    std::string segment(path.substr(0, dot));
    if (!node->is_object()) return "";
    auto it = node->find(segment);
    if (it == node->end()) return "";
    node = &*it;
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_boolean() || node->is_number()) return node->dump();
  return "";
}

}  // namespace

LabelSelector LabelSelector::nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

StatusOr<LabelSelector> LabelSelector::parse(std::string_view text) {
  Parser parser(text);
  ASSIGN_OR_RETURN(auto requirements, parser.parse());
  sortByKey(requirements);
  LabelSelector s;
  s.requirements_ = std::move(requirements);
  return s;
}

StatusOr<LabelSelector> LabelSelector::fromJson(const Json& j) {
  if (j.is_null()) return nothing();
  if (!j.is_object()) return invalidError("label selector must be an object");
  LabelSelector s;
  if (auto it = j.find("matchLabels"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return invalidError("matchLabels must be a map of strings");
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) return invalidError("matchLabels must be a map of strings");
      ASSIGN_OR_RETURN(auto r, makeRequirement(key, Operator::kEquals, {value.get<std::string>()}));
      s.requirements_.push_back(std::move(r));
    }
  }
  if (auto it = j.find("matchExpressions"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return invalidError("matchExpressions must be a list");
    for (const auto& expr : *it) {
      ASSIGN_OR_RETURN(auto r, expressionRequirement(expr));
      s.requirements_.push_back(std::move(r));
    }
  }
  sortByKey(s.requirements_);
  return s;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  if (nothing_) return false;
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const Requirement& r) { return requirementMatches(r, labels); });
}

std::string LabelSelector::toString() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ",";
    out += requirementString(r);
  }
  return out;
}

StatusOr<FieldSelector> FieldSelector::parse(std::string_view text) {
  auto parts = splitTerms(text);
  std::sort(parts.begin(), parts.end());
  FieldSelector s;
  for (std::string_view part : parts) {
    if (part.empty()) continue;
    auto invalid = invalidError("invalid selector: '" + std::string(text) +
                                "'; can't understand '" + std::string(part) + "'");
    size_t i = 0;
    std::string_view op;
    for (; i < part.size() && op.empty(); ++i) {
      for (std::string_view candidate : {"!=", "==", "="}) {
        if (part.substr(i).starts_with(candidate)) {
          op = candidate;
          break;
        }
      }
    }
    if (op.empty()) return invalid;
    size_t op_pos = i - 1;
    ASSIGN_OR_RETURN(std::string value, unescapeValue(part.substr(op_pos + op.size())));
    s.terms_.push_back(Term{std::string(part.substr(0, op_pos)), std::move(value), op == "!="});
  }
  return s;
}

bool FieldSelector::matches(const Object& object) const {
  return std::all_of(terms_.begin(), terms_.end(), [&](const Term& t) {
    return (fieldValue(object.json(), t.field) == t.value) != t.negated;
  });
}

std::string FieldSelector::toString() const {
  std::string out;
  for (const auto& t : terms_) {
    if (!out.empty()) out += ",";
    out += t.field + (t.negated ? "!=" : "=") + escapeValue(t.value);
  }
  return out;
}

}  // namespace serin::kube
