#include "serin/cluster/auth.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "serin/util/pki.h"

#include <fcntl.h>
#include <unistd.h>

namespace serin::cluster {
namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr auto kReloadCheckInterval = std::chrono::seconds(1);

// ---------------------------------------------------------------------------------------------
// CSV, as Go's encoding/csv reads kube-apiserver's token file (TrimLeadingSpace, no LazyQuotes).

std::string_view trimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trimLeft(s);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads a quoted field starting after its opening quote; `pos` ends after the closing quote.
StatusOr<std::string> readQuoted(std::string_view line, std::size_t& pos) {
  std::string field;
  while (pos < line.size()) {
    char c = line[pos++];
    if (c != '"') {
      field.push_back(c);
      continue;
    }
    if (pos < line.size() && line[pos] == '"') {  // "" is a literal quote
      field.push_back('"');
      ++pos;
      continue;
    }
    if (pos < line.size() && line[pos] != ',') return invalidError("extraneous \" in field");
    return field;
  }
  return invalidError("unterminated quoted field");
}

StatusOr<std::vector<std::string>> splitCsvLine(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t pos = 0;
  while (true) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      ASSIGN_OR_RETURN(std::string field, readQuoted(line, pos));
      fields.push_back(std::move(field));
    } else {
      std::size_t end = std::min(line.find(',', pos), line.size());
      std::string_view field = line.substr(pos, end - pos);
      if (field.find('"') != std::string_view::npos) return invalidError("bare \" in field");
      fields.emplace_back(field);
      pos = end;
    }
    if (pos >= line.size()) return fields;
    ++pos;  // the comma
  }
}

std::vector<std::string> splitGroups(std::string_view text) {
  std::vector<std::string> groups;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = std::min(text.find(',', start), text.size());
    std::string_view group = trim(text.substr(start, end - start));
    if (!group.empty()) groups.emplace_back(group);
    start = end + 1;
  }
  return groups;
}

StatusOr<TokenEntry> parseTokenLine(std::string_view line) {
  ASSIGN_OR_RETURN(std::vector<std::string> fields, splitCsvLine(line));
  if (fields.size() < 3) {
    return invalidError("must have at least 3 columns (token, user name, user uid), found " +
                        std::to_string(fields.size()));
  }
  if (fields[0].empty()) return invalidError("empty token");
  if (fields[1].empty()) return invalidError("empty user name");
  TokenEntry entry;
  entry.token = std::move(fields[0]);
  entry.user.name = std::move(fields[1]);
  entry.user.uid = std::move(fields[2]);
  if (fields.size() >= 4) entry.user.groups = splitGroups(fields[3]);
  return entry;
}

StatusOr<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return notFoundError("cannot open " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return internalError("cannot read " + path.string());
  return text.str();
}

// ---------------------------------------------------------------------------------------------
// Tokens.

// Compares without an early exit so the time taken does not reveal how much of a guess matched
// (only its length, as crypto/subtle.ConstantTimeCompare).
bool tokensEqual(std::string_view given, std::string_view known) {
  unsigned diff = given.size() == known.size() ? 0U : 1U;
  for (std::size_t i = 0; i < known.size(); ++i) {
    const char g = i < given.size() ? given[i] : '\0';
    diff |= static_cast<unsigned char>(g ^ known[i]);
  }
  return diff == 0;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "Bearer <token>" -> token; empty when the header is not exactly that shape.
std::string_view bearerToken(std::string_view header) {
  header = trim(header);
  const std::size_t space = header.find(' ');
  if (space == std::string_view::npos || !iequals(header.substr(0, space), "bearer")) return {};
  std::string_view token = trimLeft(header.substr(space + 1));
  if (token.find_first_of(" \t") != std::string_view::npos) return {};
  return token;
}

Status unauthorized() { return Status(StatusCode::kUnauthorized, "Unauthorized", "Unauthorized"); }

Status checkDuplicates(const std::vector<TokenEntry>& entries) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!seen.insert(entries[i].token).second) {
      return invalidError("token of entry " + std::to_string(i + 1) + " (user \"" +
                          entries[i].user.name + "\") duplicates an earlier token");
    }
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Authorization.

bool isReadVerb(std::string_view verb) {
  return verb == kVerbGet || verb == kVerbList || verb == kVerbWatch;
}

// kube-apiserver's system:discovery and system:public-info-viewer non-resource URLs, granted
// to every authenticated user for "get". A trailing '*' matches any suffix, as in RBAC.
constexpr std::array<std::string_view, 11> kPublicPaths = {
    "/api",    "/api/*",   "/apis",      "/apis/*",  "/healthz",  "/livez",
    "/readyz", "/openapi", "/openapi/*", "/version", "/version/",
};

bool matchesNonResourceRule(std::string_view rule, std::string_view path) {
  if (!rule.empty() && rule.back() == '*') {
    rule.remove_suffix(1);
    return path.substr(0, rule.size()) == rule;
  }
  return rule == path;
}

bool isPublicPath(std::string_view path) {
  return std::any_of(kPublicPaths.begin(), kPublicPaths.end(),
                     [&](std::string_view rule) { return matchesNonResourceRule(rule, path); });
}

// system:basic-user: anyone may ask what they themselves may do (`kubectl auth can-i`,
// `kubectl auth whoami`).
bool isSelfReview(const RequestAttributes& a) {
  if (a.verb != kVerbCreate || !a.subresource.empty()) return false;
  if (a.apiGroup == "authorization.k8s.io") {
    return a.resource == "selfsubjectaccessreviews" || a.resource == "selfsubjectrulesreviews";
  }
  return a.apiGroup == "authentication.k8s.io" && a.resource == "selfsubjectreviews";
}

bool allowedResource(const RequestAttributes& a) {
  if (a.user.inGroup(kGroupView) && isReadVerb(a.verb)) return true;
  return a.user.inGroup(kGroupAuthenticated) && isSelfReview(a);
}

bool allowedNonResource(const RequestAttributes& a) {
  const bool reads = a.verb == "get" || a.verb == "head";
  if (a.user.inGroup(kGroupView) && reads) return true;
  return a.user.inGroup(kGroupAuthenticated) && a.verb == "get" && isPublicPath(a.path);
}

// The replacements kube-apiserver applies to a forbidden message before echoing it.
std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string goQuote(std::string_view s) { return OrderedJson(std::string(s)).dump(); }

std::string groupResource(const RequestAttributes& a) {
  return a.apiGroup.empty() ? a.resource : a.resource + "." + a.apiGroup;
}

OrderedJson statusSkeleton() {
  OrderedJson status;
  status["kind"] = "Status";
  status["apiVersion"] = "v1";
  status["metadata"] = OrderedJson::object();
  status["status"] = "Failure";
  return status;
}

// ---------------------------------------------------------------------------------------------
// Bootstrapping.

Status writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return internalError(std::string("write: ") + std::strerror(errno));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::ok();
}

Status writePrivateFile(const std::filesystem::path& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return internalError("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  Status status = writeAll(fd, data);
  if (status.isOk() && ::fsync(fd) != 0) status = internalError("fsync " + path.string());
  ::close(fd);
  return status.withContext(path.string());
}

StatusOr<std::string> firstMasterToken(const std::filesystem::path& file) {
  ASSIGN_OR_RETURN(std::string text, readFile(file));
  ASSIGN_OR_RETURN(std::vector<TokenEntry> entries, parseTokenFile(text, file.string()));
  for (TokenEntry& entry : entries) {
    if (entry.user.inGroup(kGroupMasters)) return std::move(entry.token);
  }
  return failedPreconditionError(file.string() + " has no user in group system:masters");
}

// Publishes the file with link(2): it never replaces an existing file, so two servers starting
// on one DIR agree on a single admin token, and readers never see a half-written file.
StatusOr<std::string> createTokenFile(const std::filesystem::path& dir,
                                      const std::filesystem::path& file) {
  ASSIGN_OR_RETURN(std::string token, util::randomToken());
  const std::string line = token + ",admin,admin,\"" + std::string(kGroupMasters) + "\"\n";
  const std::filesystem::path tmp =
      dir / (".tokens.csv.tmp." + std::to_string(static_cast<long>(::getpid())));
  std::error_code ignored;
  std::filesystem::remove(tmp, ignored);
  RETURN_IF_ERROR(writePrivateFile(tmp, line));
  const int rc = ::link(tmp.c_str(), file.c_str());
  const int link_errno = errno;
  std::filesystem::remove(tmp, ignored);
  if (rc != 0 && link_errno == EEXIST) return firstMasterToken(file);
  if (rc != 0) {
    return internalError("cannot create " + file.string() + ": " + std::strerror(link_errno));
  }
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return token;
}

}  // namespace

bool UserInfo::inGroup(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

StatusOr<std::vector<TokenEntry>> parseTokenFile(std::string_view text, std::string_view source) {
  std::vector<TokenEntry> entries;
  std::set<std::string> seen;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    const std::string where = std::string(source) + " line " + std::to_string(line_number);
    StatusOr<TokenEntry> entry = parseTokenLine(line);
    if (!entry.isOk()) return invalidError(where + ": " + entry.status().message());
    if (!seen.insert(entry->token).second) {
      return invalidError(where + ": duplicate token (user \"" + entry->user.name + "\")");
    }
    entries.push_back(std::move(entry).value());
  }
  return entries;
}

// --- TokenAuthenticator ----------------------------------------------------------------------

StatusOr<std::unique_ptr<TokenAuthenticator>> TokenAuthenticator::fromFile(
    std::filesystem::path path) {
  std::unique_ptr<TokenAuthenticator> authenticator(new TokenAuthenticator());
  authenticator->path_ = std::move(path);
  RETURN_IF_ERROR(authenticator->reload());
  return authenticator;
}

StatusOr<std::unique_ptr<TokenAuthenticator>> TokenAuthenticator::fromEntries(
    std::vector<TokenEntry> entries) {
  RETURN_IF_ERROR(checkDuplicates(entries));
  std::unique_ptr<TokenAuthenticator> authenticator(new TokenAuthenticator());
  authenticator->entries_ = std::move(entries);
  return authenticator;
}

StatusOr<UserInfo> TokenAuthenticator::authenticate(std::string_view header) {
  const std::string_view token = bearerToken(header);
  if (token.empty()) return unauthorized();
  maybeReload();
  std::lock_guard lock(mu_);
  const TokenEntry* match = nullptr;
  for (const TokenEntry& entry : entries_) {  // no early exit: see tokensEqual()
    if (tokensEqual(token, entry.token)) match = &entry;
  }
  if (match == nullptr) return unauthorized();
  UserInfo user = match->user;
  if (!user.inGroup(kGroupAuthenticated)) user.groups.emplace_back(kGroupAuthenticated);
  return user;
}

void TokenAuthenticator::maybeReload() {
  if (path_.empty()) return;
  {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_check_ < kReloadCheckInterval) return;
    last_check_ = now;
  }
  // A broken edit keeps the previous tokens; the error is for callers of reloadIfChanged().
  (void)reloadIfChanged();
}

Status TokenAuthenticator::reloadIfChanged() {
  if (path_.empty()) return Status::ok();
  std::error_code ec;
  FileStamp stamp{std::filesystem::last_write_time(path_, ec), 0};
  if (!ec) stamp.size = std::filesystem::file_size(path_, ec);
  if (ec) return unavailableError("cannot stat " + path_.string() + ": " + ec.message());
  std::lock_guard lock(mu_);
  if (stamp == stamp_) return Status::ok();
  return loadLocked(stamp);
}

Status TokenAuthenticator::reload() {
  if (path_.empty()) return Status::ok();
  std::error_code ec;
  FileStamp stamp{std::filesystem::last_write_time(path_, ec), 0};
  if (!ec) stamp.size = std::filesystem::file_size(path_, ec);
  if (ec) return notFoundError("cannot stat " + path_.string() + ": " + ec.message());
  std::lock_guard lock(mu_);
  return loadLocked(stamp);
}

Status TokenAuthenticator::loadLocked(const FileStamp& stamp) {
  ASSIGN_OR_RETURN(std::string text, readFile(path_));
  ASSIGN_OR_RETURN(std::vector<TokenEntry> entries, parseTokenFile(text, path_.string()));
  entries_ = std::move(entries);
  stamp_ = stamp;
  return Status::ok();
}

// --- verbs and authorization -----------------------------------------------------------------

std::string requestVerb(std::string_view http_method, bool is_resource_request, bool is_collection,
                        bool watch) {
  std::string method(http_method);
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!is_resource_request) return method;
  if (method == "get" || method == "head") {
    if (!is_collection) return std::string(kVerbGet);
    return std::string(watch ? kVerbWatch : kVerbList);
  }
  if (method == "post") return std::string(kVerbCreate);
  if (method == "put") return std::string(kVerbUpdate);
  if (method == "patch") return std::string(kVerbPatch);
  if (method == "delete") return std::string(is_collection ? kVerbDeleteCollection : kVerbDelete);
  return {};
}

bool Authorizer::allowed(const RequestAttributes& attributes) const {
  if (attributes.user.inGroup(kGroupMasters)) return true;
  return attributes.isResourceRequest ? allowedResource(attributes)
                                      : allowedNonResource(attributes);
}

Status Authorizer::authorize(const RequestAttributes& attributes) const {
  if (allowed(attributes)) return Status::ok();
  return Status(StatusCode::kForbidden, forbiddenMessage(attributes), "Forbidden");
}

std::string forbiddenReason(const RequestAttributes& a) {
  const std::string user = "User " + goQuote(a.user.name) + " cannot " + a.verb;
  if (!a.isResourceRequest) return user + " path " + goQuote(a.path);
  const std::string resource =
      a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  const std::string what =
      user + " resource " + goQuote(resource) + " in API group " + goQuote(a.apiGroup);
  if (!a.ns.empty()) return what + " in the namespace " + goQuote(a.ns);
  return what + " at the cluster scope";
}

std::string forbiddenMessage(const RequestAttributes& a) {
  const std::string reason = sanitize(forbiddenReason(a));
  // Non-resource requests have an empty group and resource: kube's "forbidden: ..." form.
  if (!a.isResourceRequest || (a.resource.empty() && a.apiGroup.empty())) {
    return "forbidden: " + reason;
  }
  if (a.name.empty()) return groupResource(a) + " is forbidden: " + reason;
  return groupResource(a) + " " + goQuote(a.name) + " is forbidden: " + reason;
}

std::string unauthorizedStatusBody() {
  OrderedJson status = statusSkeleton();
  status["message"] = "Unauthorized";
  status["reason"] = "Unauthorized";
  status["code"] = 401;
  return status.dump();
}

std::string forbiddenStatusBody(const RequestAttributes& attributes) {
  const bool resource = attributes.isResourceRequest;
  OrderedJson details = OrderedJson::object();
  if (resource && !attributes.name.empty()) details["name"] = attributes.name;
  if (resource && !attributes.apiGroup.empty()) details["group"] = attributes.apiGroup;
  if (resource && !attributes.resource.empty()) details["kind"] = attributes.resource;
  OrderedJson status = statusSkeleton();
  status["message"] = forbiddenMessage(attributes);
  status["reason"] = "Forbidden";
  status["details"] = std::move(details);
  status["code"] = 403;
  return status.dump();
}

StatusOr<std::string> ensureAdminToken(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return internalError("cannot create " + dir.string() + ": " + ec.message());
  const std::filesystem::path file = dir / std::string(kTokenFileName);
  if (std::filesystem::exists(file, ec)) return firstMasterToken(file);
  return createTokenFile(dir, file);
}

}  // namespace serin::cluster
