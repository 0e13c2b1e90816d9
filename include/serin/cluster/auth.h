// Authentication and authorization for the embedded control plane, as kube-apiserver does them.
//
// `serin cluster` authenticates bearer tokens from a static token file in kube-apiserver's
// --token-auth-file format (DIR/tokens.csv), one user per line:
//
//   token,user,uid,"group1,group2"
//
// and authorizes with three fixed roles instead of RBAC: group `system:masters` may do anything,
// group `serin:view` may only read (get/list/watch and non-resource GETs), and every other
// authenticated user may only read the discovery, version and health endpoints that
// kube-apiserver opens to all authenticated users (system:discovery, system:public-info-viewer)
// and create the self-reviews of system:basic-user (so `kubectl auth can-i` works).
//
// Refusals carry Status bodies byte-for-byte as kube-apiserver writes them, because kubectl
// prints their message ("Error from server (Forbidden): pods is forbidden: User ...").
//
// Contracts: nothing here throws; no function logs or returns a token except ensureAdminToken()
// (which hands the admin token to the caller that writes the kubeconfig). TokenAuthenticator and
// Authorizer are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "serin/util/status.h"

namespace serin::cluster {

inline constexpr std::string_view kGroupMasters = "system:masters";
inline constexpr std::string_view kGroupView = "serin:view";
inline constexpr std::string_view kGroupAuthenticated = "system:authenticated";
inline constexpr std::string_view kTokenFileName = "tokens.csv";

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;

  bool inGroup(std::string_view group) const;
  friend bool operator==(const UserInfo&, const UserInfo&) = default;
};

// One line of a token file. The token is a secret: never log a TokenEntry.
struct TokenEntry {
  std::string token;
  UserInfo user;  // groups as written in the file (system:authenticated is added on use)
};

// Parses a token file's text. CSV as Go's encoding/csv reads it (double quotes, "" escapes,
// leading spaces trimmed); blank lines are skipped as kube-apiserver does. A line with fewer
// than 3 fields, an empty token or user, a bad quote, or a token already seen is Invalid naming
// `source` and the line number (never the token).
StatusOr<std::vector<TokenEntry>> parseTokenFile(std::string_view text,
                                                 std::string_view source = "tokens.csv");

// Bearer-token authentication against a token file, reloaded when the file changes.
class TokenAuthenticator {
 public:
  // Reads `path` now; the file must exist and parse.
  static StatusOr<std::unique_ptr<TokenAuthenticator>> fromFile(std::filesystem::path path);
  // Fixed entries, no file (tests, embedding). Duplicates are Invalid.
  static StatusOr<std::unique_ptr<TokenAuthenticator>> fromEntries(std::vector<TokenEntry> entries);

  // `header` is the Authorization header value ("Bearer <token>"; the scheme is
  // case-insensitive). Missing, malformed, empty or unknown tokens are Unauthorized with the
  // message "Unauthorized". The returned groups end with system:authenticated.
  StatusOr<UserInfo> authenticate(std::string_view header);

  // Re-reads the file when its modification time or size changed since the last load (checked
  // at most once a second from authenticate()). A file that no longer parses keeps the previous
  // tokens and returns the parse error (kube-apiserver would refuse to start; a running server
  // should not lock everyone out over a typo).
  Status reloadIfChanged();
  // Re-reads the file unconditionally.
  Status reload();

 private:
  struct FileStamp {
    std::filesystem::file_time_type mtime{};
    std::uintmax_t size = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
  };

  TokenAuthenticator() = default;
  Status loadLocked(const FileStamp& stamp);
  void maybeReload();

  std::filesystem::path path_;  // empty for fromEntries()
  std::mutex mu_;
  std::vector<TokenEntry> entries_;
  FileStamp stamp_;
  std::chrono::steady_clock::time_point last_check_{};
};

// The Kubernetes verbs an authorizer sees.
inline constexpr std::string_view kVerbGet = "get";
inline constexpr std::string_view kVerbList = "list";
inline constexpr std::string_view kVerbWatch = "watch";
inline constexpr std::string_view kVerbCreate = "create";
inline constexpr std::string_view kVerbUpdate = "update";
inline constexpr std::string_view kVerbPatch = "patch";
inline constexpr std::string_view kVerbDelete = "delete";
inline constexpr std::string_view kVerbDeleteCollection = "deletecollection";

// The verb of a request, as kube-apiserver's RequestInfo derives it. Resource requests: POST
// create, GET/HEAD get (list on a collection, watch on a collection with watch=true), PUT update,
// PATCH patch, DELETE delete (deletecollection on a collection). A GET naming one object with
// watch=true stays "get", as in kube (the legacy /watch/ path is not served). Non-resource
// requests: the lower-case method ("get", "post", ...). Unknown methods give "".
std::string requestVerb(std::string_view http_method, bool is_resource_request, bool is_collection,
                        bool watch);

// What an authorization decision looks at (kube's authorizer.Attributes).
struct RequestAttributes {
  UserInfo user;
  std::string verb;
  std::string resource;     // plural, e.g. "pods"; empty for non-resource requests
  std::string subresource;  // e.g. "status"
  std::string ns;           // empty for cluster-scoped resources and cluster-wide lists
  std::string name;
  std::string apiGroup;  // "" for core
  bool isResourceRequest = true;
  std::string path;  // the URL path, used for non-resource requests
};

class Authorizer {
 public:
  // OK when allowed, else Forbidden (reason "Forbidden") with kube's message, e.g.
  // `pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the
  // namespace "default"`.
  Status authorize(const RequestAttributes& attributes) const;
  bool allowed(const RequestAttributes& attributes) const;
};

// `User "bob" cannot list resource "pods" in API group "" in the namespace "default"`, or
// `... at the cluster scope`, or `User "bob" cannot get path "/metrics"`.
std::string forbiddenReason(const RequestAttributes& attributes);
// The full Status message: `pods is forbidden: ...`, `deployments.apps "web" is forbidden: ...`,
// `forbidden: ...` for non-resource requests.
std::string forbiddenMessage(const RequestAttributes& attributes);

// Response bodies, byte-for-byte as kube-apiserver serialises them (field order included).
std::string unauthorizedStatusBody();
std::string forbiddenStatusBody(const RequestAttributes& attributes);

// Ensures DIR/tokens.csv exists. When it does not, writes one line for user "admin" in group
// system:masters with a fresh random token (mode 0600, atomically: a reader never sees a
// partial file) and returns that token. When it does, returns the token of its first
// system:masters user (FailedPrecondition when there is none; Invalid when it does not parse).
StatusOr<std::string> ensureAdminToken(const std::filesystem::path& dir);

}  // namespace serin::cluster
