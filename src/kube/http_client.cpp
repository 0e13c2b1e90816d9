// The HTTP(S) kube::Client on libcurl.
//
// Connections: each request borrows a curl easy handle from a pool and returns it afterwards,
// so its connection (and TLS session) is reused by the next request; curl_easy_reset keeps
// live connections. A watch takes its own handle inside a private multi handle so that the
// stop token can wake curl_multi_poll immediately (curl_multi_wakeup is thread-safe) instead
// of waiting for the next progress callback.
//
// Retries (ClientOptions: maxRetries, exponential backoff from initialBackoff to maxBackoff,
// sleeps on the injected Clock):
//   - 429: every verb. The server refused the request before doing anything (priority and
//     fairness / max-in-flight), so even POST and PATCH are safe. Retry-After is honoured.
//   - 500/502/503/504 and transport failures after the request may have been sent: only GET
//     and DELETE, whose repetition cannot duplicate an effect. POST, PUT and PATCH are never
//     retried on those: a create might have happened, and a PUT repeated after success would
//     come back as a misleading Conflict.
//   - Failures to connect at all (refused, DNS): every verb, nothing was sent.
//   - 401: CredentialSource::invalidate() and one more attempt (rotated token, expired exec
//     credential).
// Watches are not retried here: the informer resumes from the last resourceVersion it saw.
//
// Rate limiting: a token bucket (RestConfig::qps/burst) before every attempt of every request;
// an established watch holds no tokens.
//
// Secrets: tokens travel only in the Authorization header; error messages are built from the
// HTTP status and the server's Status object, never from request headers.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>

#include <curl/curl.h>

#include "serin/kube/client.h"
#include "serin/version.h"

#include "discovery.h"
#include "rate_limiter.h"

namespace serin::kube {
namespace {

constexpr std::size_t kMaxWatchEventBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxErrorBodyBytes = 1024 * 1024;
constexpr long kWatchKeepAliveSeconds = 30;
constexpr long kMinWatchStallSeconds = 300;
constexpr int kWatchPollMillis = 1000;

// ---------------------------------------------------------------------------------------
// Global state.

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_ALL); });
}

std::mutex& observerMutex() {
  static std::mutex mu;
  return mu;
}
std::shared_ptr<const RequestObserver>& observerSlot() {
  static std::shared_ptr<const RequestObserver> observer;
  return observer;
}

void notifyObserver(std::string_view verb, long status, double seconds) {
  std::shared_ptr<const RequestObserver> observer;
  {
    std::lock_guard lock(observerMutex());
    observer = observerSlot();
  }
  if (observer && *observer) (*observer)(verb, status, seconds);
}

// ---------------------------------------------------------------------------------------
// URLs.

bool isUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string percentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (isUnreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

using Query = std::vector<std::pair<std::string, std::string>>;

std::string withQuery(std::string path, const Query& query) {
  char sep = '?';
  for (const auto& [key, value] : query) {
    path += sep;
    path += percentEncode(key);
    path += '=';
    path += percentEncode(value);
    sep = '&';
  }
  return path;
}

std::string collectionPath(const GroupVersionResource& gvr, std::string_view ns) {
  std::string path = gvr.group.empty()
                         ? "/api/" + percentEncode(gvr.version)
                         : "/apis/" + percentEncode(gvr.group) + "/" + percentEncode(gvr.version);
  if (!ns.empty()) path += "/namespaces/" + percentEncode(ns);
  return path + "/" + percentEncode(gvr.resource);
}

std::string objectPath(const ResourceRef& ref) {
  std::string path = collectionPath(ref.gvr, ref.ns);
  if (!ref.name.empty()) path += "/" + percentEncode(ref.name);
  if (!ref.subresource.empty()) path += "/" + percentEncode(ref.subresource);
  return path;
}

void addSelectors(Query& q, const ListOptions& o) {
  if (!o.labelSelector.empty()) q.emplace_back("labelSelector", o.labelSelector);
  if (!o.fieldSelector.empty()) q.emplace_back("fieldSelector", o.fieldSelector);
}

Query listQuery(const ListOptions& o) {
  Query q;
  addSelectors(q, o);
  if (o.limit > 0) q.emplace_back("limit", std::to_string(o.limit));
  if (!o.continueToken.empty()) q.emplace_back("continue", o.continueToken);
  if (!o.resourceVersion.empty()) q.emplace_back("resourceVersion", o.resourceVersion);
  if (!o.resourceVersionMatch.empty()) {
    q.emplace_back("resourceVersionMatch", o.resourceVersionMatch);
  }
  return q;
}

Query watchQuery(const ListOptions& o) {
  Query q;
  addSelectors(q, o);
  q.emplace_back("watch", "true");
  if (!o.resourceVersion.empty()) q.emplace_back("resourceVersion", o.resourceVersion);
  if (o.allowWatchBookmarks) q.emplace_back("allowWatchBookmarks", "true");
  if (o.timeoutSeconds) q.emplace_back("timeoutSeconds", std::to_string(*o.timeoutSeconds));
  return q;
}

Query writeQuery(const WriteOptions& o) {
  Query q;
  if (o.dryRun) q.emplace_back("dryRun", "All");
  q.emplace_back("fieldManager", o.fieldManager.empty() ? "serin" : o.fieldManager);
  if (!o.fieldValidation.empty()) q.emplace_back("fieldValidation", o.fieldValidation);
  return q;
}

std::string deleteBody(const DeleteOptions& o) {
  Json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (o.propagationPolicy) body["propagationPolicy"] = *o.propagationPolicy;
  if (o.gracePeriodSeconds) body["gracePeriodSeconds"] = *o.gracePeriodSeconds;
  if (o.preconditionUid) body["preconditions"]["uid"] = *o.preconditionUid;
  if (o.preconditionResourceVersion) {
    body["preconditions"]["resourceVersion"] = *o.preconditionResourceVersion;
  }
  if (o.dryRun) body["dryRun"] = Json::array({"All"});
  return body.dump();
}

const char* patchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kStrategic:
      return "application/strategic-merge-patch+json";
    case PatchType::kApply:
      return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

// "https://host:port/prefix" split up; the prefix is kept for servers behind a path proxy.
struct ServerUrl {
  std::string scheme;
  std::string host;  // brackets kept for IPv6 literals
  std::string port;
  std::string prefix;
};

StatusOr<ServerUrl> parseServer(const std::string& server) {
  ServerUrl out;
  auto scheme_end = server.find("://");
  if (scheme_end == std::string::npos)
    return invalidError("server \"" + server + "\" has no scheme");
  out.scheme = server.substr(0, scheme_end);
  if (out.scheme != "http" && out.scheme != "https") {
    return invalidError("server \"" + server + "\" must use http or https");
  }
  std::string rest = server.substr(scheme_end + 3);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.prefix = rest.substr(slash);
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  auto bracket = authority.rfind(']');
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = out.scheme == "https" ? "443" : "80";
  }
  if (out.host.empty()) return invalidError("server \"" + server + "\" has no host");
  return out;
}

// ---------------------------------------------------------------------------------------
// Errors.

Status errorFromResponse(long http_status, const std::string& body) {
  std::string message, reason;
  Json status = Json::parse(body, nullptr, false);
  if (status.is_object() && status.value("kind", "") == "Status") {
    message = status.value("message", "");
    reason = status.value("reason", "");
  }
  if (message.empty()) {
    message = "HTTP " + std::to_string(http_status);
    std::string snippet = body.substr(0, 256);
    while (!snippet.empty() && std::isspace(static_cast<unsigned char>(snippet.back()))) {
      snippet.pop_back();
    }
    if (!snippet.empty()) message += ": " + snippet;
  }
  StatusCode code = StatusCode::kInternal;
  switch (http_status) {
    case 400:
    case 422:
      code = StatusCode::kInvalid;
      break;
    case 401:
      code = StatusCode::kUnauthorized;
      break;
    case 403:
      code = StatusCode::kForbidden;
      break;
    case 404:
      code = StatusCode::kNotFound;
      break;
    case 409:
      code = reason == "AlreadyExists" ? StatusCode::kAlreadyExists : StatusCode::kConflict;
      break;
    case 410:
      code = StatusCode::kGone;
      break;
    case 429:
      code = StatusCode::kTooManyRequests;
      break;
    case 500:
    case 502:
    case 503:
      code = StatusCode::kUnavailable;
      break;
    case 504:
      code = StatusCode::kDeadlineExceeded;
      break;
    default:
      code = http_status >= 500 ? StatusCode::kUnavailable : StatusCode::kInternal;
  }
  return Status(code, std::move(message), std::move(reason));
}

bool isConnectFailure(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
         code == CURLE_COULDNT_RESOLVE_PROXY;
}

Status transportError(CURLcode code, const char* error_buffer, const std::string& what) {
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  std::string message = what + ": " + detail;
  if (code == CURLE_OPERATION_TIMEDOUT) return deadlineExceededError(std::move(message));
  return unavailableError(std::move(message));
}

// ---------------------------------------------------------------------------------------
// Easy handle pool.

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using EasyPtr = std::unique_ptr<CURL, CurlDeleter>;

class EasyPool {
 public:
  EasyPtr acquire() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        EasyPtr easy = std::move(free_.back());
        free_.pop_back();
        curl_easy_reset(easy.get());  // keeps live connections and TLS sessions
        return easy;
      }
    }
    return EasyPtr(curl_easy_init());
  }
  void release(EasyPtr easy) {
    std::lock_guard lock(mu_);
    if (free_.size() < kMaxIdle) free_.push_back(std::move(easy));
  }

 private:
  static constexpr std::size_t kMaxIdle = 32;
  std::mutex mu_;
  std::vector<EasyPtr> free_;
};

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// ---------------------------------------------------------------------------------------
// Requests.

struct Request {
  Request(std::string method_in, std::string path_in, std::string body_in = {},
          std::string content_type = {}, std::string accept_in = "application/json")
      : method(std::move(method_in)),
        path(std::move(path_in)),
        body(std::move(body_in)),
        contentType(std::move(content_type)),
        accept(std::move(accept_in)) {}

  std::string method;
  std::string path;  // with query, without the server prefix
  std::string body;
  std::string contentType;
  std::string accept = "application/json";
  bool retryServerErrors = true;  // for GET and DELETE; see the header comment
};

struct Response {
  long status = 0;
  std::string body;
  std::string contentType;
  std::optional<long> retryAfterSeconds;
};

size_t appendBody(char* data, size_t size, size_t nmemb, void* user) {
  static_cast<std::string*>(user)->append(data, size * nmemb);
  return size * nmemb;
}

size_t captureRetryAfter(char* data, size_t size, size_t nmemb, void* user) {
  std::string_view line(data, size * nmemb);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size() &&
      std::equal(kName.begin(), kName.end(), line.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    std::string value(line.substr(kName.size()));
    char* end = nullptr;
    long seconds = std::strtol(value.c_str(), &end, 10);
    if (end != value.c_str() && seconds >= 0) {
      *static_cast<std::optional<long>*>(user) = seconds;
    }
  }
  return size * nmemb;
}

// The streaming state of one watch, fed by curl's write callback.
struct WatchStream {
  CURL* easy = nullptr;
  const WatchHandler* handler = nullptr;
  long status = 0;
  std::string buffer;            // the current partial line
  std::string errorBody;         // the body of a non-200 answer
  std::optional<Status> result;  // set when the stream must end early
  bool handlerDone = false;

  size_t feed(const char* data, size_t n) {
    if (status == 0) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
      if (errorBody.size() < kMaxErrorBodyBytes) errorBody.append(data, n);
      return n;
    }
    std::size_t scan_from = buffer.size();
    buffer.append(data, n);
    std::size_t line_start = 0;
    for (auto nl = buffer.find('\n', scan_from); nl != std::string::npos;
         nl = buffer.find('\n', line_start)) {
      std::string_view line(buffer.data() + line_start, nl - line_start);
      line_start = nl + 1;
      if (!deliver(line)) return 0;  // aborts the transfer
    }
    buffer.erase(0, line_start);
    if (buffer.size() > kMaxWatchEventBytes) {
      result = invalidError("watch event larger than 64 MiB");
      return 0;
    }
    return n;
  }

  bool deliver(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) return true;
    Json doc = Json::parse(line, nullptr, false);
    if (!doc.is_object() || !doc.contains("type") || !doc["type"].is_string()) {
      result = internalError("malformed watch event");
      return false;
    }
    std::string type = doc["type"].get<std::string>();
    WatchEvent event{WatchEventType::kAdded, Object(doc.value("object", Json::object()))};
    if (type == "ADDED") {
      event.type = WatchEventType::kAdded;
    } else if (type == "MODIFIED") {
      event.type = WatchEventType::kModified;
    } else if (type == "DELETED") {
      event.type = WatchEventType::kDeleted;
    } else if (type == "BOOKMARK") {
      event.type = WatchEventType::kBookmark;
    } else if (type == "ERROR") {
      event.type = WatchEventType::kError;
      const Json& obj = event.object.json();
      long code = obj.is_object() && obj.contains("code") && obj["code"].is_number_integer()
                      ? obj["code"].get<long>()
                      : 500;
      result = errorFromResponse(code, obj.dump());
    } else {
      result = internalError("unknown watch event type \"" + type + "\"");
      return false;
    }
    if (!(*handler)(std::move(event))) handlerDone = true;
    return !handlerDone && !result;
  }
};

size_t watchWrite(char* data, size_t size, size_t nmemb, void* user) {
  return static_cast<WatchStream*>(user)->feed(data, size * nmemb);
}

// ---------------------------------------------------------------------------------------

class HttpClient final : public Client {
 public:
  HttpClient(RestConfig config, ServerUrl server, const ClientOptions& options)
      : config_(std::move(config)),
        server_(std::move(server)),
        options_(options),
        clock_(options.clock != nullptr ? *options.clock : util::realClock()),
        credentials_(makeCredentialSource(config_, clock_)),
        limiter_(config_.qps, config_.burst, clock_),
        discovery_([this](const std::string& path) { return discoveryGet(path); }) {
    user_agent_ = config_.userAgent.empty() ? std::string("serin/") + kVersion : config_.userAgent;
    url_base_ = server_.scheme + "://" +
                (config_.tlsServerName.empty() ? server_.host : config_.tlsServerName) + ":" +
                server_.port + server_.prefix;
    if (!config_.tlsServerName.empty()) {
      // Connect to the real address while TLS (SNI and verification) uses tlsServerName.
      connect_to_ =
          config_.tlsServerName + ":" + server_.port + ":" + server_.host + ":" + server_.port;
      host_header_ = "Host: " + server_.host + ":" + server_.port;
      connect_to_list_.reset(curl_slist_append(nullptr, connect_to_.c_str()));
    }
  }

  StatusOr<Object> get(const ResourceRef& ref, const GetOptions& options) override {
    Query q;
    if (!options.resourceVersion.empty())
      q.emplace_back("resourceVersion", options.resourceVersion);
    return callObject({"GET", withQuery(objectPath(ref), q)});
  }

  StatusOr<ObjectList> list(const GroupVersionResource& gvr, std::string_view ns,
                            const ListOptions& options) override {
    ASSIGN_OR_RETURN(Json doc,
                     call({"GET", withQuery(collectionPath(gvr, ns), listQuery(options))}));
    return toList(std::move(doc));
  }

  StatusOr<Object> create(const GroupVersionResource& gvr, std::string_view ns,
                          const Object& object, const WriteOptions& options) override {
    std::string target_ns = ns.empty() ? object.ns() : std::string(ns);
    return callObject({"POST", withQuery(collectionPath(gvr, target_ns), writeQuery(options)),
                       object.dump(), "application/json"});
  }

  StatusOr<Object> update(const ResourceRef& ref, const Object& object,
                          const WriteOptions& options) override {
    return callObject({"PUT", withQuery(objectPath(ref), writeQuery(options)), object.dump(),
                       "application/json"});
  }

  StatusOr<Object> patch(const ResourceRef& ref, PatchType type, std::string_view body,
                         const PatchOptions& options) override {
    Query q = writeQuery(options);
    if (type == PatchType::kApply && options.force) q.emplace_back("force", "true");
    return callObject(
        {"PATCH", withQuery(objectPath(ref), q), std::string(body), patchContentType(type)});
  }

  StatusOr<Object> remove(const ResourceRef& ref, const DeleteOptions& options) override {
    return callObject({"DELETE", objectPath(ref), deleteBody(options), "application/json"});
  }

  Status removeCollection(const GroupVersionResource& gvr, std::string_view ns,
                          const ListOptions& selectors, const DeleteOptions& options) override {
    Query q;
    addSelectors(q, selectors);
    return call({"DELETE", withQuery(collectionPath(gvr, ns), q), deleteBody(options),
                 "application/json"})
        .status();
  }

  Status watch(const GroupVersionResource& gvr, std::string_view ns, const ListOptions& options,
               const WatchHandler& handler, std::stop_token stop) override;

  StatusOr<ResourceInfo> resourceFor(const GroupVersionKind& gvk) override {
    return discovery_.resourceFor(gvk);
  }
  StatusOr<std::vector<ResourceInfo>> serverResources() override {
    return discovery_.serverResources();
  }
  void invalidateDiscovery() override { discovery_.invalidate(); }

  StatusOr<RawResponse> raw(const RawRequest& request) override {
    Request req{request.method, request.path, request.body, request.contentType,
                request.accept.empty() ? "application/json" : request.accept};
    ASSIGN_OR_RETURN(Response res, perform(req));
    return RawResponse{res.status, std::move(res.body), std::move(res.contentType)};
  }

  const RestConfig& config() const override { return config_; }

 private:
  // Group-version documents are not retried on 5xx: an aggregated API that is down (a
  // common sight, e.g. metrics.k8s.io) would otherwise cost the whole backoff sequence on
  // every discovery refresh, and discovery skips it anyway.
  StatusOr<Json> discoveryGet(const std::string& path) {
    Request req("GET", path);
    req.retryServerErrors = path == "/api" || path == "/apis";
    return call(req);
  }

  StatusOr<Object> callObject(const Request& req) {
    ASSIGN_OR_RETURN(Json doc, call(req));
    return Object(std::move(doc));
  }

  // perform() plus HTTP error mapping and JSON parsing.
  StatusOr<Json> call(const Request& req) {
    ASSIGN_OR_RETURN(Response res, perform(req));
    if (res.status < 200 || res.status >= 300) return errorFromResponse(res.status, res.body);
    Json doc = Json::parse(res.body, nullptr, false);
    if (doc.is_discarded()) {
      return internalError(req.method + " " + pathOnly(req.path) + ": response is not JSON");
    }
    return doc;
  }

  static std::string pathOnly(const std::string& path) { return path.substr(0, path.find('?')); }

  static StatusOr<ObjectList> toList(Json doc) {
    if (!doc.is_object()) return internalError("list response is not an object");
    ObjectList list;
    list.apiVersion = doc.value("apiVersion", "");
    list.kind = doc.value("kind", "");
    if (auto meta = doc.find("metadata"); meta != doc.end() && meta->is_object()) {
      list.resourceVersion = meta->value("resourceVersion", "");
      list.continueToken = meta->value("continue", "");
      if (auto rem = meta->find("remainingItemCount");
          rem != meta->end() && rem->is_number_integer()) {
        list.remainingItemCount = rem->get<int64_t>();
      }
    }
    // Items of typed lists come without apiVersion/kind; restore them from the list's.
    std::string item_kind = list.kind;
    if (item_kind.size() > 4 && item_kind.ends_with("List")) item_kind.resize(item_kind.size() - 4);
    if (auto items = doc.find("items"); items != doc.end() && items->is_array()) {
      list.items.reserve(items->size());
      for (auto& item : *items) {
        Object obj(std::move(item));
        if (obj.apiVersion().empty()) obj.setApiVersion(list.apiVersion);
        if (obj.kind().empty()) obj.setKind(item_kind);
        list.items.push_back(std::move(obj));
      }
    }
    return list;
  }

  static bool retriesOnServerError(const std::string& method) {
    return method == "GET" || method == "DELETE" || method == "HEAD";
  }

  util::Clock::Duration backoff(int attempt) const {
    auto delay = options_.initialBackoff * (1LL << std::min(attempt, 20));
    return std::min<std::chrono::milliseconds>(delay, options_.maxBackoff);
  }

  // Sends `req` with rate limiting, credentials and retries. Non-2xx answers are returned
  // as a Response; only transport failures are errors.
  StatusOr<Response> perform(const Request& req) {
    bool reauthenticated = false;
    for (int attempt = 0;; ++attempt) {
      limiter_.acquire();
      ASSIGN_OR_RETURN(CredentialSource::Credentials creds, credentials_->get());
      CURLcode code = CURLE_OK;
      auto res = performOnce(req, creds, &code);
      bool may_retry = attempt < options_.maxRetries;
      if (!res.isOk()) {
        if (may_retry && (isConnectFailure(code) || retriesOnServerError(req.method))) {
          clock_.sleepFor(backoff(attempt), {});
          continue;
        }
        return res.status();
      }
      long status = res->status;
      if (status == 401 && !reauthenticated) {
        credentials_->invalidate();
        reauthenticated = true;
        --attempt;  // re-authentication is not a retry
        continue;
      }
      bool server_error = status == 500 || status == 502 || status == 503 || status == 504;
      bool retry_5xx = server_error && req.retryServerErrors && retriesOnServerError(req.method);
      if (may_retry && (status == 429 || retry_5xx)) {
        util::Clock::Duration delay = backoff(attempt);
        if (res->retryAfterSeconds) delay = std::chrono::seconds(*res->retryAfterSeconds);
        clock_.sleepFor(delay, {});
        continue;
      }
      return res;
    }
  }

  // Options shared by normal requests and watches.
  SlistPtr configure(CURL* easy, const Request& req, const CredentialSource::Credentials& creds,
                     char* error_buffer) {
    curl_easy_setopt(easy, CURLOPT_URL, (url_base_ + req.path).c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    // Never follow redirects or speak other protocols: the token must only reach the server.
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent_.c_str());
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(config_.timeout.count(), 0)));
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, kWatchKeepAliveSeconds);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, kWatchKeepAliveSeconds / 3);
    if (req.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    if (req.method != "GET" && req.method != "HEAD") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.c_str());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
    configureTls(easy, creds);
    if (!config_.proxyUrl.empty()) curl_easy_setopt(easy, CURLOPT_PROXY, config_.proxyUrl.c_str());
    if (!creds.username.empty() || !creds.password.empty()) {
      curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(easy, CURLOPT_USERNAME, creds.username.c_str());
      curl_easy_setopt(easy, CURLOPT_PASSWORD, creds.password.c_str());
    }
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, ("Accept: " + req.accept).c_str());
    if (!req.contentType.empty()) {
      headers = curl_slist_append(headers, ("Content-Type: " + req.contentType).c_str());
    }
    if (!creds.bearerToken.empty()) {
      headers = curl_slist_append(headers, ("Authorization: Bearer " + creds.bearerToken).c_str());
    }
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    if (!host_header_.empty()) headers = curl_slist_append(headers, host_header_.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    return SlistPtr(headers);
  }

  void configureTls(CURL* easy, const CredentialSource::Credentials& creds) {
    if (config_.insecureSkipTlsVerify) {
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!config_.caData.empty()) {
      curl_blob ca{const_cast<char*>(config_.caData.data()), config_.caData.size(), CURL_BLOB_COPY};
      curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &ca);
    }
    const std::string& cert =
        creds.clientCertData.empty() ? config_.clientCertData : creds.clientCertData;
    const std::string& key =
        creds.clientKeyData.empty() ? config_.clientKeyData : creds.clientKeyData;
    if (!cert.empty() && !key.empty()) {
      curl_blob cert_blob{const_cast<char*>(cert.data()), cert.size(), CURL_BLOB_COPY};
      curl_blob key_blob{const_cast<char*>(key.data()), key.size(), CURL_BLOB_COPY};
      curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cert_blob);
      curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key_blob);
      curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (connect_to_list_) curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to_list_.get());
  }

  StatusOr<Response> performOnce(const Request& req, const CredentialSource::Credentials& creds,
                                 CURLcode* code_out) {
    EasyPtr easy = pool_.acquire();
    if (!easy) return internalError("curl_easy_init failed");
    char error_buffer[CURL_ERROR_SIZE] = {0};
    SlistPtr headers = configure(easy.get(), req, creds, error_buffer);
    if (config_.timeout.count() > 0) {
      curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
    }
    Response res;
    curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &res.body);
    curl_easy_setopt(easy.get(), CURLOPT_HEADERFUNCTION, captureRetryAfter);
    curl_easy_setopt(easy.get(), CURLOPT_HEADERDATA, &res.retryAfterSeconds);

    auto started = std::chrono::steady_clock::now();
    CURLcode code = curl_easy_perform(easy.get());
    *code_out = code;
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &res.status);
    const char* content_type = nullptr;
    curl_easy_getinfo(easy.get(), CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type != nullptr) res.contentType = content_type;
    notifyObserver(req.method, code == CURLE_OK ? res.status : 0, took.count());
    if (code != CURLE_OK) {
      return transportError(code, error_buffer, req.method + " " + pathOnly(req.path));
    }
    pool_.release(std::move(easy));
    return res;
  }

  RestConfig config_;
  ServerUrl server_;
  ClientOptions options_;
  util::Clock& clock_;
  std::shared_ptr<CredentialSource> credentials_;
  internal::RateLimiter limiter_;
  internal::DiscoveryCache discovery_;
  EasyPool pool_;
  std::string user_agent_;
  std::string url_base_;
  std::string connect_to_;
  std::string host_header_;
  SlistPtr connect_to_list_;  // immutable after construction
};

Status HttpClient::watch(const GroupVersionResource& gvr, std::string_view ns,
                         const ListOptions& options, const WatchHandler& handler,
                         std::stop_token stop) {
  Request req{"GET", withQuery(collectionPath(gvr, ns), watchQuery(options))};
  if (!limiter_.acquire(stop)) return cancelledError("watch cancelled");
  ASSIGN_OR_RETURN(CredentialSource::Credentials creds, credentials_->get());

  EasyPtr easy(curl_easy_init());
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(),
                                                              curl_multi_cleanup);
  if (!easy || !multi) return internalError("curl init failed");
  char error_buffer[CURL_ERROR_SIZE] = {0};
  SlistPtr headers = configure(easy.get(), req, creds, error_buffer);
  // No total timeout: a watch lives as long as the server keeps it. A stalled connection is
  // noticed through TCP keepalive and the low-speed limit (bookmarks keep healthy ones busy).
  long stall = kMinWatchStallSeconds;
  if (options.timeoutSeconds)
    stall = std::max(stall, static_cast<long>(*options.timeoutSeconds) + 60);
  curl_easy_setopt(easy.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_LOW_SPEED_TIME, stall);

  WatchStream stream;
  stream.easy = easy.get();
  stream.handler = &handler;
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, watchWrite);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &stream);
  curl_multi_add_handle(multi.get(), easy.get());

  CURLcode done_code = CURLE_OK;
  bool finished = false;
  {
    std::stop_callback wake(stop, [m = multi.get()] { curl_multi_wakeup(m); });
    while (!finished && !stop.stop_requested()) {
      int running = 0;
      if (curl_multi_perform(multi.get(), &running) != CURLM_OK) break;
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
        if (msg->msg == CURLMSG_DONE) {
          finished = true;
          done_code = msg->data.result;
        }
      }
      if (finished || running == 0) break;
      curl_multi_poll(multi.get(), nullptr, 0, kWatchPollMillis, nullptr);
    }
  }
  curl_multi_remove_handle(multi.get(), easy.get());
  notifyObserver("WATCH", stream.status, 0);

  if (stream.result) return *stream.result;
  if (stream.handlerDone) return Status::ok();
  if (stop.stop_requested()) return cancelledError("watch cancelled");
  if (!finished) return internalError("watch: curl multi interface failed");
  if (done_code != CURLE_OK) {
    return transportError(done_code, error_buffer, "watch " + gvr.toString())
        .withContext("stream cut");
  }
  if (stream.status != 200) {
    if (stream.status == 401) credentials_->invalidate();
    return errorFromResponse(stream.status, stream.errorBody);
  }
  auto rest = stream.buffer.find_first_not_of(" \r\n\t");
  if (rest != std::string::npos) return unavailableError("watch stream ended mid-event");
  return Status::ok();
}

}  // namespace

std::string_view watchEventTypeName(WatchEventType t) {
  switch (t) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
    case WatchEventType::kBookmark:
      return "BOOKMARK";
    case WatchEventType::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

void setGlobalRequestObserver(RequestObserver observer) {
  auto ptr = std::make_shared<const RequestObserver>(std::move(observer));
  std::lock_guard lock(observerMutex());
  observerSlot() = std::move(ptr);
}

StatusOr<ResourceRef> refFor(Client& client, const Object& object) {
  ASSIGN_OR_RETURN(ResourceInfo info, client.resourceFor(object.gvk()));
  ResourceRef ref;
  ref.gvr = info.gvr;
  ref.name = object.name();
  if (info.namespaced) {
    ref.ns = object.ns().empty() ? client.config().defaultNamespace : object.ns();
  }
  return ref;
}

StatusOr<std::unique_ptr<Client>> newHttpClient(const RestConfig& config,
                                                const ClientOptions& options) {
  globalInit();
  ASSIGN_OR_RETURN(ServerUrl server, parseServer(config.server));
  if (config.clientCertData.empty() != config.clientKeyData.empty()) {
    return invalidError("client certificate and key must be given together");
  }
  return std::unique_ptr<Client>(std::make_unique<HttpClient>(config, std::move(server), options));
}

}  // namespace serin::kube
