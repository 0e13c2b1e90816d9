#include "serin/kube/yaml.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <limits>
#include <optional>
#include <streambuf>
#include <unordered_map>
#include <utility>

#include <yaml-cpp/binary.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace serin::kube {
namespace {

// ======================= scalar resolution (go-yaml v2 resolve.go) =======================

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

enum class Kind { kString, kNull, kBool, kInt, kFloat };

struct Resolved {
  Kind kind = Kind::kString;
  Json value;
};

Resolved stringValue(std::string_view s) { return {Kind::kString, Json(std::string(s))}; }

bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::optional<Resolved> lookupSpecial(std::string_view s) {
  static const std::unordered_map<std::string_view, std::pair<Kind, double>> kTable = [] {
    std::unordered_map<std::string_view, std::pair<Kind, double>> t;
    for (auto w : {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
      t[w] = {Kind::kBool, 1};
    }
    for (auto w : {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
      t[w] = {Kind::kBool, 0};
    }
    for (auto w : {"~", "null", "Null", "NULL"}) t[w] = {Kind::kNull, 0};
    double inf = std::numeric_limits<double>::infinity();
    for (auto w : {".nan", ".NaN", ".NAN"}) t[w] = {Kind::kFloat, std::nan("")};
    for (auto w : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) t[w] = {Kind::kFloat, inf};
    for (auto w : {"-.inf", "-.Inf", "-.INF"}) t[w] = {Kind::kFloat, -inf};
    return t;
  }();
  auto it = kTable.find(s);
  if (it == kTable.end()) return std::nullopt;
  auto [kind, number] = it->second;
  switch (kind) {
    case Kind::kBool:
      return Resolved{kind, Json(number != 0)};
    case Kind::kNull:
      return Resolved{kind, Json(nullptr)};
    default:
      return Resolved{kind, Json(number)};
  }
}

// Go's strconv.ParseUint(s, 0, 64) on an unsigned body (no sign).
std::optional<uint64_t> goParseUint(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s[0] == '0') {
    char p = s.size() >= 3 ? static_cast<char>(s[1] | 0x20) : '\0';
    base = p == 'b' ? 2 : p == 'o' ? 8 : p == 'x' ? 16 : 8;
    s.remove_prefix(base == 8 && p != 'o' ? 1 : 2);
    if (s.empty()) return 0;  // "0" itself
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size() || s[0] == '-' || s[0] == '+') {
    return std::nullopt;
  }
  return v;
}

// Go's strconv.ParseInt(s, 0, 64).
std::optional<int64_t> goParseInt(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  auto magnitude = goParseUint(s);
  if (!magnitude) return std::nullopt;
  constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
  if (negative) {
    if (*magnitude > kMaxPositive + 1) return std::nullopt;
    return static_cast<int64_t>(uint64_t{0} - *magnitude);
  }
  if (*magnitude > kMaxPositive) return std::nullopt;
  return static_cast<int64_t>(*magnitude);
}

// strtod over the whole text; nullopt when it does not consume everything or overflows.
std::optional<double> parseFiniteDouble(const std::string& s) {
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || std::isinf(v)) return std::nullopt;
  return v;
}

// go-yaml v2's float pattern: ^[-+]?[0-9]*\.?[0-9]+([eE][-+][0-9]+)?$
bool matchesYamlFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t mantissa_start = i;
  while (i < s.size() && isDigit(s[i])) ++i;
  size_t int_digits = i - mantissa_start;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac_start = i;
    while (i < s.size() && isDigit(s[i])) ++i;
    if (i == frac_start) return false;
  } else if (int_digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i >= s.size() || (s[i] != '-' && s[i] != '+')) return false;
    ++i;
    size_t exp_start = i;
    while (i < s.size() && isDigit(s[i])) ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}

// Go's ParseFloat for text that starts with '.': ".5", ".5e3", ".5E-3".
bool matchesDotFloat(std::string_view s) {
  size_t i = 1;
  while (i < s.size() && isDigit(s[i])) ++i;
  if (i == 1) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_start = i;
    while (i < s.size() && isDigit(s[i])) ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}

Resolved resolveNumber(std::string_view in) {
  std::string plain;
  plain.reserve(in.size());
  for (char c : in) {
    if (c != '_') plain.push_back(c);
  }
  if (auto i = goParseInt(plain)) return {Kind::kInt, Json(*i)};
  if (plain[0] != '+' && plain[0] != '-') {
    // Beyond int64: kubectl's JSON round trip turns these into float64.
    if (auto u = goParseUint(plain)) return {Kind::kInt, Json(static_cast<double>(*u))};
  }
  if (matchesYamlFloat(plain)) {
    if (auto f = parseFiniteDouble(plain)) return {Kind::kFloat, Json(*f)};
  }
  return stringValue(in);
}

// The type go-yaml v2 gives a plain scalar.
Resolved resolvePlain(std::string_view in) {
  if (in.empty()) return {Kind::kNull, Json(nullptr)};
  char c = in[0];
  bool number_hint = c == '+' || c == '-' || isDigit(c);
  bool special_hint = std::string_view("yYnNtTfFoO~").find(c) != std::string_view::npos;
  if (!number_hint && !special_hint && c != '.') return stringValue(in);
  if (auto special = lookupSpecial(in)) return *special;
  if (c == '.') {
    if (matchesDotFloat(in)) {
      if (auto f = parseFiniteDouble(std::string(in))) return {Kind::kFloat, Json(*f)};
    }
    return stringValue(in);
  }
  if (number_hint) return resolveNumber(in);
  return stringValue(in);
}

std::string_view kindTag(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "!!str";
    case Kind::kNull:
      return "!!null";
    case Kind::kBool:
      return "!!bool";
    case Kind::kInt:
      return "!!int";
    case Kind::kFloat:
      return "!!float";
  }
  return "!!str";
}

// ============================== YAML event -> JSON builder ==============================

// A problem found while building; carries the node position for the error message.
struct BuildError {
  YAML::Mark mark;
  std::string message;
};

constexpr size_t kMaxDepth = 1000;
// Alias expansion may add this many nodes plus ten per node written in the source: plenty for
// real manifests, and it stops "billion laughs" documents early.
constexpr size_t kAliasNodeAllowance = 1'000'000;
constexpr size_t kAliasNodesPerSourceNode = 10;

size_t nodeCount(const Json& j) {
  size_t n = 1;
  if (j.is_structured()) {
    for (const auto& child : j) n += nodeCount(child);
  }
  return n;
}

// Go's strconv.FormatFloat(f, 'g', -1, 32): how sigs.k8s.io/yaml turns float keys into text.
std::string goFloatKey(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[64];
  auto f = static_cast<float>(v);
  auto result = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(result.ptr - buf));
  bool negative = !sci.empty() && sci[0] == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  if (digits == "0") return negative ? "-0" : "0";
  std::string out = negative ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + ebuf;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  auto int_len = static_cast<size_t>(exp + 1);
  if (digits.size() <= int_len) return out + digits + std::string(int_len - digits.size(), '0');
  return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

class JsonBuilder : public YAML::EventHandler {
 public:
  struct Document {
    int index;  // 1-based position in the stream
    Json value;
  };

  std::vector<Document>& documents() { return documents_; }
  int documentsStarted() const { return started_; }
  bool inDocument() const { return in_document_; }

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {
    ++started_;
    in_document_ = true;
    anchors_.clear();
    stack_.clear();
    root_ = Json();
    alias_nodes_ = 0;
    source_nodes_ = 0;
  }

  void OnDocumentEnd() override {
    in_document_ = false;
    if (!root_.is_null()) documents_.push_back({started_, std::move(root_)});
    anchors_.clear();
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    complete(Json(nullptr), anchor, mark);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw BuildError{mark, "alias refers to an anchor that is not complete (recursive alias)"};
    }
    alias_nodes_ += it->second.nodes;
    if (alias_nodes_ > kAliasNodeAllowance + kAliasNodesPerSourceNode * source_nodes_) {
      throw BuildError{mark, "document contains excessive aliasing"};
    }
    complete(it->second.value, YAML::NullAnchor, mark);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (atKeyPosition() && value == "<<" && (tag == "?" || tag == "tag:yaml.org,2002:merge")) {
      stack_.back().has_key = true;
      stack_.back().merge = true;
      return;
    }
    complete(resolveTagged(mark, tag, value), anchor, mark);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    push(Json::array(), anchor, mark);
  }
  void OnSequenceEnd() override { pop(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    push(Json::object(), anchor, mark);
  }
  void OnMapEnd() override { pop(); }

 private:
  struct Frame {
    Json value;
    YAML::anchor_t anchor = YAML::NullAnchor;
    YAML::Mark mark;
    bool has_key = false;
    bool merge = false;
    std::string key;
  };
  struct Anchored {
    Json value;
    size_t nodes = 0;
  };

  bool atKeyPosition() const {
    return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().has_key;
  }

  void push(Json value, YAML::anchor_t anchor, const YAML::Mark& mark) {
    if (stack_.size() >= kMaxDepth) throw BuildError{mark, "nesting deeper than 1000 levels"};
    stack_.push_back(Frame{std::move(value), anchor, mark, false, false, {}});
  }

  void pop() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    complete(std::move(frame.value), frame.anchor, frame.mark);
  }

  static Json resolveTagged(const YAML::Mark& mark, const std::string& tag,
                            const std::string& value) {
    if (tag == "?") return resolvePlain(value).value;
    if (tag.size() <= kTagPrefix.size() || tag.compare(0, kTagPrefix.size(), kTagPrefix) != 0) {
      return Json(value);  // quoted ("!"), block or custom-tagged: a string
    }
    std::string_view name = std::string_view(tag).substr(kTagPrefix.size());
    if (name == "binary") {
      std::vector<unsigned char> bytes = YAML::DecodeBase64(value);
      if (bytes.empty() && !value.empty()) {
        throw BuildError{mark, "!!binary value contains invalid base64 data"};
      }
      return Json(std::string(bytes.begin(), bytes.end()));
    }
    Kind want;
    if (name == "int") {
      want = Kind::kInt;
    } else if (name == "float") {
      want = Kind::kFloat;
    } else if (name == "bool") {
      want = Kind::kBool;
    } else if (name == "null") {
      want = Kind::kNull;
    } else {
      return Json(value);  // !!str, !!timestamp and the rest read as strings
    }
    Resolved r = resolvePlain(value);
    if (r.kind == want) return r.value;
    if (want == Kind::kFloat && r.kind == Kind::kInt) return Json(r.value.get<double>());
    throw BuildError{mark, "cannot decode " + std::string(kindTag(r.kind)) + " `" + value +
                               "` as a !!" + std::string(name)};
  }

  static std::string keyString(const Json& key, const YAML::Mark& mark) {
    switch (key.type()) {
      case Json::value_t::string:
        return key.get<std::string>();
      case Json::value_t::boolean:
        return key.get<bool>() ? "true" : "false";
      case Json::value_t::number_integer:
        return std::to_string(key.get<int64_t>());
      case Json::value_t::number_float:
        return goFloatKey(key.get<double>());
      default:
        throw BuildError{mark, "unsupported map key " + key.dump() +
                                   " (keys must be strings, "
                                   "numbers or booleans)"};
    }
  }

  static void mergeInto(Json& target, const Json& source, const YAML::Mark& mark) {
    auto fail = [&] {
      throw BuildError{mark, "map merge requires map or sequence of maps as the value"};
    };
    if (source.is_object()) {
      for (const auto& [k, v] : source.items()) target[k] = v;
      return;
    }
    if (!source.is_array()) fail();
    for (auto it = source.rbegin(); it != source.rend(); ++it) {  // earlier entries win
      if (!it->is_object()) fail();
      for (const auto& [k, v] : it->items()) target[k] = v;
    }
  }

  void complete(Json value, YAML::anchor_t anchor, const YAML::Mark& mark) {
    ++source_nodes_;  // aliases count once here; their expansion is charged in OnAlias
    if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchored{value, nodeCount(value)};
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.push_back(std::move(value));
    } else if (!top.has_key) {
      top.key = keyString(value, mark);
      top.has_key = true;
    } else {
      if (top.merge) {
        mergeInto(top.value, value, mark);
      } else {
        top.value[top.key] = std::move(value);
      }
      top.has_key = false;
      top.merge = false;
    }
  }

  std::vector<Document> documents_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  Json root_;
  size_t alias_nodes_ = 0;
  size_t source_nodes_ = 0;
  int started_ = 0;
  bool in_document_ = false;
};

// An std::istream over caller-owned bytes, so yaml-cpp can read a string_view without a copy.
class ViewStreamBuf : public std::streambuf {
 public:
  explicit ViewStreamBuf(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // read-only: the get area is never written
    setg(begin, begin, begin + text.size());
  }
};

Status locatedError(int document, int line, std::string_view message) {
  std::string out = "document " + std::to_string(document);
  if (line > 0) out += ", line " + std::to_string(line);
  return invalidError(out + ": " + std::string(message));
}

StatusOr<std::vector<JsonBuilder::Document>> parseYamlStream(std::string_view yaml) {
  JsonBuilder builder;
  auto current_document = [&] {
    return builder.inDocument() ? builder.documentsStarted() : builder.documentsStarted() + 1;
  };
  try {
    ViewStreamBuf buf(yaml);
    std::istream in(&buf);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const BuildError& e) {
    return locatedError(current_document(), e.mark.line + 1, e.message);
  } catch (const YAML::Exception& e) {
    return locatedError(current_document(), e.mark.is_null() ? 0 : e.mark.line + 1, e.msg);
  } catch (const std::exception& e) {
    return locatedError(current_document(), 0, e.what());
  } catch (...) {
    return invalidError("unexpected error while parsing YAML");
  }
  return std::move(builder.documents());
}

// ==================================== JSON -> YAML ====================================

bool isPlainSafeFirst(std::string_view s) {
  static constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s[0]) == std::string_view::npos) return true;
  // "-x" is a plain scalar in block context; "-", "- x" are sequence entries.
  return s[0] == '-' && s.size() > 1 && s[1] != ' ';
}

// True when some YAML reader (go-yaml v2, YAML 1.2 parsers) could take it for a non-string.
bool looksLikeOtherType(std::string_view s) {
  if (s == "<<") return true;
  if (resolvePlain(s).kind != Kind::kString) return true;
  char c = s[0];
  bool numeric_start = isDigit(c) || c == '+' || c == '-' || c == '.';
  if (!numeric_start) return false;
  if (parseFiniteDouble(std::string(s)) ||
      std::isinf(std::strtod(std::string(s).c_str(), nullptr))) {
    return true;  // "1e3", "1.", "1e400"
  }
  // Base-60 numbers ("1:20") and timestamps ("2001-12-14") for YAML 1.1 and v3 readers.
  return s.find(':') != std::string_view::npos ||
         (s.size() >= 5 && std::all_of(s.begin(), s.begin() + 4, isDigit) && s[4] == '-');
}

// U+0085, U+2028, U+2029 and U+FEFF: line breaks or BOMs to YAML, so never left bare.
std::optional<std::string_view> specialUnicodeEscape(std::string_view s, size_t i) {
  if (s.compare(i, 2, "\xC2\x85") == 0) return "\\N";
  if (s.compare(i, 3, "\xE2\x80\xA8") == 0) return "\\L";
  if (s.compare(i, 3, "\xE2\x80\xA9") == 0) return "\\P";
  if (s.compare(i, 3, "\xEF\xBB\xBF") == 0) return "\\uFEFF";
  return std::nullopt;
}

bool hasSpecialUnicode(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0xC2 && specialUnicodeEscape(s, i)) return true;
  }
  return false;
}

bool isControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

size_t utf8Length(std::string_view s, size_t i) {
  auto u = static_cast<unsigned char>(s[i]);
  size_t len = u < 0x80 ? 1 : (u >> 5) == 0x6 ? 2 : (u >> 4) == 0xE ? 3 : (u >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return len;
}

bool needsQuotes(std::string_view s) {
  if (s.empty() || !isPlainSafeFirst(s) || looksLikeOtherType(s)) return true;
  if (s.front() == ' ' || s.back() == ' ' || s.back() == ':') return true;
  if (s.starts_with("---") || s.starts_with("...")) return true;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) {
    return true;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (isControl(s[i])) return true;
    if (static_cast<unsigned char>(s[i]) >= 0x80 && utf8Length(s, i) == 0) return true;
  }
  return hasSpecialUnicode(s);
}

void appendDoubleQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      if (auto escape = specialUnicodeEscape(s, i)) {
        out += *escape;
        i += escape == std::string_view("\\N") ? 2 : 3;
        continue;
      }
      size_t len = utf8Length(s, i);
      if (len == 0) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\x%02X", u);
        out += buf;
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
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
      case '\0':
        out += "\\0";
        break;
      default:
        if (isControl(c)) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02X", u);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
    ++i;
  }
  out.push_back('"');
}

// A multi-line string a literal block ("|") reproduces exactly.
bool literalBlockFits(std::string_view s) {
  if (s.find('\n') == std::string_view::npos || s[0] == ' ' || s[0] == '\t') return false;
  if (s.find_first_not_of(" \t\n") == std::string_view::npos) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (isControl(s[i]) && s[i] != '\n' && s[i] != '\t') return false;
    if (static_cast<unsigned char>(s[i]) >= 0x80 && utf8Length(s, i) == 0) return false;
  }
  // Trailing newlines are expressed by chomping; the last content line must not be blank.
  std::string_view body = s.substr(0, s.find_last_not_of('\n') + 1);
  size_t last_line = body.rfind('\n');
  std::string_view tail = last_line == std::string_view::npos ? body : body.substr(last_line + 1);
  return tail.find_first_not_of(" \t") != std::string_view::npos && !hasSpecialUnicode(s);
}

void appendLiteralBlock(std::string& out, std::string_view s, size_t indent) {
  size_t trailing = s.size() - (s.find_last_not_of('\n') + 1);
  out += trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
  out.push_back('\n');
  std::string_view body = s.substr(0, s.size() - trailing);
  while (true) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    if (!line.empty()) out.append(indent, ' ').append(line);
    out.push_back('\n');
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  for (size_t i = 1; i < trailing; ++i) out.push_back('\n');
}

void appendString(std::string& out, std::string_view s) {
  if (needsQuotes(s)) {
    appendDoubleQuoted(out, s);
  } else {
    out.append(s);
  }
}

// Shortest text that reads back as the same double *and* as a float.
std::string formatFloat(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), v);
  std::string out(buf, result.ptr);
  if (out.find_first_of(".e") == std::string::npos) {
    out += ".0";
  } else if (size_t e = out.find('e');
             e != std::string::npos && out.find('.') == std::string::npos) {
    out.insert(e, ".0");  // "1e+20" -> "1.0e+20": a float in every YAML version
  }
  return out;
}

void appendScalar(std::string& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      out += "null";
      break;
    case Json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      break;
    case Json::value_t::number_integer:
      out += std::to_string(j.get<int64_t>());
      break;
    case Json::value_t::number_unsigned:
      out += std::to_string(j.get<uint64_t>());
      break;
    case Json::value_t::number_float:
      out += formatFloat(j.get<double>());
      break;
    case Json::value_t::string:
      appendString(out, j.get_ref<const std::string&>());
      break;
    case Json::value_t::object:
      out += "{}";
      break;
    case Json::value_t::array:
      out += "[]";
      break;
    default:
      out += "null";
      break;  // binary and discarded never occur in Kubernetes objects
  }
}

void emitMap(std::string& out, const Json& map, size_t indent, bool first_inline);
void emitSeq(std::string& out, const Json& seq, size_t indent, bool first_inline);

// Writes the value after "key:" or "-" (the indicator is already in `out`).
void emitValue(std::string& out, const Json& v, size_t indent, bool after_key) {
  if (v.is_object() && !v.empty()) {
    if (after_key) {
      out.push_back('\n');
      emitMap(out, v, indent + 2, false);
    } else {
      out.push_back(' ');
      emitMap(out, v, indent + 2, true);
    }
    return;
  }
  if (v.is_array() && !v.empty()) {
    if (after_key) {
      out.push_back('\n');
      emitSeq(out, v, indent, false);  // kubectl style: "- " level with the key
    } else {
      out.push_back(' ');
      emitSeq(out, v, indent + 2, true);
    }
    return;
  }
  out.push_back(' ');
  if (v.is_string() && literalBlockFits(v.get_ref<const std::string&>())) {
    appendLiteralBlock(out, v.get_ref<const std::string&>(), indent + 2);
    return;
  }
  appendScalar(out, v);
  out.push_back('\n');
}

void emitMap(std::string& out, const Json& map, size_t indent, bool first_inline) {
  bool first = true;
  for (const auto& [key, value] : map.items()) {
    if (!first || !first_inline) out.append(indent, ' ');
    first = false;
    appendString(out, key);
    out.push_back(':');
    emitValue(out, value, indent, true);
  }
}

void emitSeq(std::string& out, const Json& seq, size_t indent, bool first_inline) {
  bool first = true;
  for (const auto& item : seq) {
    if (!first || !first_inline) out.append(indent, ' ');
    first = false;
    out.push_back('-');
    emitValue(out, item, indent, false);
  }
}

void emitDocument(std::string& out, const Json& j) {
  if (j.is_object() && !j.empty()) {
    emitMap(out, j, 0, false);
  } else if (j.is_array() && !j.empty()) {
    emitSeq(out, j, 0, false);
  } else if (j.is_string() && literalBlockFits(j.get_ref<const std::string&>())) {
    appendLiteralBlock(out, j.get_ref<const std::string&>(), 2);
  } else {
    appendScalar(out, j);
    out.push_back('\n');
  }
}

// ============================== manifests (JSON or YAML) ==============================

int lineAt(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(),
                                         text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// End (exclusive) of the JSON object or array starting at `start`, or npos when unbalanced.
size_t jsonValueEnd(std::string_view text, size_t start) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = start; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

StatusOr<std::vector<JsonBuilder::Document>> parseJsonStream(std::string_view text) {
  std::vector<JsonBuilder::Document> docs;
  size_t pos = 0;
  for (int index = 1;; ++index) {
    while (pos < text.size() && isBlank(text[pos])) ++pos;
    if (pos == text.size()) return docs;
    if (text[pos] != '{' && text[pos] != '[') {
      return locatedError(index, lineAt(text, pos), "expected a JSON object");
    }
    size_t end = jsonValueEnd(text, pos);
    std::string_view slice =
        text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
    try {
      docs.push_back({index, Json::parse(slice.begin(), slice.end())});
    } catch (const Json::parse_error& e) {
      // Point at the last character read, not past the end of input.
      size_t offset = pos + std::min(e.byte > 0 ? e.byte - 1 : 0, slice.size() - 1);
      while (offset > pos && isBlank(text[offset])) --offset;
      return locatedError(index, lineAt(text, offset), e.what());
    } catch (const std::exception& e) {
      return locatedError(index, lineAt(text, pos), e.what());
    }
    pos += slice.size();
  }
}

std::string describe(const Json& j) {
  switch (j.type()) {
    case Json::value_t::array:
      return "a list";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    default:
      return "not an object";
  }
}

Status checkTypeMeta(const Json& j, const std::string& where) {
  if (!j.is_object()) return invalidError(where + ": expected an object, got " + describe(j));
  std::string name;
  if (auto meta = j.find("metadata"); meta != j.end() && meta->is_object()) {
    if (auto n = meta->find("name"); n != meta->end() && n->is_string())
      name = n->get<std::string>();
  }
  std::string what = name.empty() ? where : where + " (name \"" + name + "\")";
  for (const char* field : {"apiVersion", "kind"}) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return invalidError(what + ": missing " + field);
    }
  }
  return Status::ok();
}

bool isListKind(const Json& j) {
  const auto& kind = j["kind"].get_ref<const std::string&>();
  auto items = j.find("items");
  return kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0 && items != j.end() &&
         (items->is_array() || items->is_null());
}

}  // namespace

StatusOr<std::vector<Json>> yamlToJsonDocuments(std::string_view yaml) {
  ASSIGN_OR_RETURN(auto docs, parseYamlStream(yaml));
  std::vector<Json> out;
  out.reserve(docs.size());
  for (auto& doc : docs) out.push_back(std::move(doc.value));
  return out;
}

StatusOr<Json> yamlToJson(std::string_view yaml) {
  ASSIGN_OR_RETURN(auto docs, parseYamlStream(yaml));
  if (docs.empty()) return Json(nullptr);
  if (docs.size() > 1) {
    return invalidError("expected one YAML document, found " + std::to_string(docs.size()) +
                        " (another starts in document " + std::to_string(docs[1].index) + ")");
  }
  return std::move(docs[0].value);
}

std::string jsonToYaml(const Json& value) {
  std::string out;
  emitDocument(out, value);
  return out;
}

std::string jsonToYamlDocuments(const std::vector<Json>& documents) {
  std::string out;
  for (size_t i = 0; i < documents.size(); ++i) {
    if (i > 0) out += "---\n";
    emitDocument(out, documents[i]);
  }
  return out;
}

StatusOr<std::vector<Object>> decodeManifests(std::string_view yaml_or_json) {
  size_t first = 0;
  while (first < yaml_or_json.size() && isBlank(yaml_or_json[first])) ++first;
  bool json = first < yaml_or_json.size() && yaml_or_json[first] == '{';
  ASSIGN_OR_RETURN(auto docs, json ? parseJsonStream(yaml_or_json) : parseYamlStream(yaml_or_json));
  std::vector<Object> objects;
  for (auto& doc : docs) {
    std::string where = "document " + std::to_string(doc.index);
    RETURN_IF_ERROR(checkTypeMeta(doc.value, where));
    if (!isListKind(doc.value)) {
      objects.emplace_back(std::move(doc.value));
      continue;
    }
    Json& items = doc.value["items"];
    if (items.is_null()) continue;
    for (size_t i = 0; i < items.size(); ++i) {
      RETURN_IF_ERROR(checkTypeMeta(items[i], where + ", item " + std::to_string(i + 1)));
      objects.emplace_back(std::move(items[i]));
    }
  }
  return objects;
}

}  // namespace serin::kube
