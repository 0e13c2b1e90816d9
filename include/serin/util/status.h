// Status and StatusOr<T>: Serin's one error model across module boundaries.
//
// Every fallible call that crosses a module boundary returns a Status (no value) or a
// StatusOr<T> (a value or an error). Exceptions thrown by third-party libraries (yaml-cpp,
// nlohmann::json, Boost) are caught inside the adapter that calls them and converted here.
//
// The code set is closed and mirrors what a Kubernetes controller must tell apart: the
// Kubernetes API's own failure reasons (NotFound, AlreadyExists, Conflict, Gone, ...) plus the
// generic ones (Invalid, Unavailable, DeadlineExceeded, Internal). `reason()` optionally keeps
// the API server's exact reason string (for example "FieldManagerConflict") when one was given.
#pragma once

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace serin {

enum class StatusCode {
  kOk = 0,
  kCancelled,           // the caller asked to stop (shutdown, stop token)
  kInvalid,             // bad input: spec, manifest, flag, expression (HTTP 400/422)
  kNotFound,            // HTTP 404
  kAlreadyExists,       // HTTP 409 on create
  kConflict,            // HTTP 409: stale resourceVersion, apply conflict
  kGone,                // HTTP 410: watch window expired, relist
  kUnauthorized,        // HTTP 401
  kForbidden,           // HTTP 403
  kTooManyRequests,     // HTTP 429
  kDeadlineExceeded,    // timeouts (HTTP 504 and client-side)
  kUnavailable,         // connection refused, 503, a peer that is down: retry later
  kFailedPrecondition,  // the system is not in a state the call needs
  kUnimplemented,       // a feature Serin does not support (yet)
  kInternal,            // a bug or an unexpected answer
};

// The name of a code as used in messages and logs ("NotFound").
std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string reason = {})
      : code_(code), message_(std::move(message)), reason_(std::move(reason)) {}

  static Status ok() { return {}; }

  bool isOk() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The Kubernetes API reason when the error came from an API server, else empty.
  const std::string& reason() const { return reason_; }

  bool is(StatusCode code) const { return code_ == code; }

  // "NotFound: rollouts.argoproj.io \"web\" not found"; "OK" for success.
  std::string toString() const;

  // A copy with `context + ": "` prepended to the message; OK stays OK.
  Status withContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

// Constructors named after the codes, for readable call sites.
Status cancelledError(std::string message);
Status invalidError(std::string message);
Status notFoundError(std::string message);
Status alreadyExistsError(std::string message);
Status conflictError(std::string message);
Status goneError(std::string message);
Status unauthorizedError(std::string message);
Status forbiddenError(std::string message);
Status tooManyRequestsError(std::string message);
Status deadlineExceededError(std::string message);
Status unavailableError(std::string message);
Status failedPreconditionError(std::string message);
Status unimplementedError(std::string message);
Status internalError(std::string message);

// A value of T or a non-OK Status. Accessing the value of an error is a bug (asserts).
template <typename T>
class [[nodiscard]] StatusOr {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "StatusOr<Status> is meaningless");

 public:
  // An error. Passing an OK status is a bug: it becomes an Internal error.
  StatusOr(Status status)  // NOLINT(google-explicit-constructor): mirrors absl::StatusOr
      : state_(status.isOk() ? Status(StatusCode::kInternal, "StatusOr built from OK status")
                             : std::move(status)) {}
  StatusOr(const T& value) : state_(value) {}        // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Status> &&
           !std::is_same_v<std::decay_t<U>, StatusOr<T>>) StatusOr(U&& value)
      : state_(std::in_place_index<1>, std::forward<U>(value)) {}  // NOLINT

  bool isOk() const { return state_.index() == 1; }
  explicit operator bool() const { return isOk(); }

  // OK when a value is held, else the error.
  Status status() const { return isOk() ? Status() : std::get<0>(state_); }

  T& value() & {
    assert(isOk());
    return std::get<1>(state_);
  }
  const T& value() const& {
    assert(isOk());
    return std::get<1>(state_);
  }
  T&& value() && {
    assert(isOk());
    return std::get<1>(std::move(state_));
  }
  T valueOr(T fallback) const& { return isOk() ? std::get<1>(state_) : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> state_;
};

namespace internal {
inline Status asStatus(const Status& s) { return s; }
template <typename T>
Status asStatus(const StatusOr<T>& s) {
  return s.status();
}
}  // namespace internal

}  // namespace serin

#define SERIN_CONCAT_INNER_(a, b) a##b
#define SERIN_CONCAT_(a, b) SERIN_CONCAT_INNER_(a, b)

// Returns the error from the enclosing function when `expr` (a Status or StatusOr) fails.
#define RETURN_IF_ERROR(expr)                                                            \
  do {                                                                                   \
    if (auto _serin_status = ::serin::internal::asStatus(expr); !_serin_status.isOk()) { \
      return _serin_status;                                                              \
    }                                                                                    \
  } while (false)

// ASSIGN_OR_RETURN(auto x, callReturningStatusOr()); declares/assigns on success.
#define ASSIGN_OR_RETURN(lhs, expr) \
  SERIN_ASSIGN_OR_RETURN_IMPL_(SERIN_CONCAT_(_serin_statusor_, __LINE__), lhs, expr)
#define SERIN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.isOk()) {                                 \
    return tmp.status();                             \
  }                                                  \
  lhs = std::move(tmp).value()
