#include "serin/util/status.h"

namespace serin {

std::string_view statusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kCancelled:
      return "Cancelled";
    case StatusCode::kInvalid:
      return "Invalid";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kConflict:
      return "Conflict";
    case StatusCode::kGone:
      return "Gone";
    case StatusCode::kUnauthorized:
      return "Unauthorized";
    case StatusCode::kForbidden:
      return "Forbidden";
    case StatusCode::kTooManyRequests:
      return "TooManyRequests";
    case StatusCode::kDeadlineExceeded:
      return "DeadlineExceeded";
    case StatusCode::kUnavailable:
      return "Unavailable";
    case StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
    case StatusCode::kUnimplemented:
      return "Unimplemented";
    case StatusCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::toString() const {
  if (isOk()) return "OK";
  std::string out(statusCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

Status Status::withContext(std::string_view context) const {
  if (isOk()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return {code_, std::move(message), reason_};
}

std::ostream& operator<<(std::ostream& os, const Status& status) { return os << status.toString(); }

Status cancelledError(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
Status invalidError(std::string m) { return {StatusCode::kInvalid, std::move(m)}; }
Status notFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
Status alreadyExistsError(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
Status conflictError(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
Status goneError(std::string m) { return {StatusCode::kGone, std::move(m)}; }
Status unauthorizedError(std::string m) { return {StatusCode::kUnauthorized, std::move(m)}; }
Status forbiddenError(std::string m) { return {StatusCode::kForbidden, std::move(m)}; }
Status tooManyRequestsError(std::string m) { return {StatusCode::kTooManyRequests, std::move(m)}; }
Status deadlineExceededError(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}
Status unavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
Status failedPreconditionError(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
Status unimplementedError(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
Status internalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace serin
