#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace personae {

/// Transport-neutral failure categories. The HTTP layer maps them to status codes, the CLI to exit
/// codes; services and adapters never mention either.
enum class ErrorCode {
  kInvalidArgument,     ///< the caller sent something malformed or out of range
  kNotFound,            ///< the thing does not exist (or is not visible to the caller)
  kConflict,            ///< the request contradicts the current state
  kFailedPrecondition,  ///< the system is not in a state that allows this (e.g. schema not current)
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,  ///< a limit was hit (rate, quota, queue full)
  kUnavailable,        ///< a dependency is down or overloaded; retrying later may work
  kDeadlineExceeded,
  kInternal,  ///< a bug or an unexpected state
};

/// One invalid field of an input: `field` is its dotted path ("voice.tone", "tags[2]").
struct FieldError {
  std::string field;
  std::string message;

  bool operator==(const FieldError&) const = default;
};

/// An expected failure. `message` may be shown to a client; `detail` goes to logs only (it may
/// hold SQL, paths or upstream error text). `retry_after`, for kResourceExhausted and
/// kUnavailable, says when a retry may succeed (HTTP sends it as Retry-After). `field_errors`,
/// for kInvalidArgument, names every invalid field at once (HTTP sends them as `errors`).
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string detail;
  std::optional<std::chrono::milliseconds> retry_after = std::nullopt;
  std::vector<FieldError> field_errors = {};
};

/// kInvalidArgument naming each invalid field ("the request has 2 invalid field(s)").
inline Error invalid_fields(std::vector<FieldError> fields) {
  Error error{ErrorCode::kInvalidArgument,
              "the request has " + std::to_string(fields.size()) + " invalid field(s)", ""};
  error.field_errors = std::move(fields);
  return error;
}

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> make_error(ErrorCode code, std::string message, std::string detail = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(detail)});
}

/// Carries an Error across layers that use exceptions (repositories called inside a transaction).
/// Caught once, at the route or the CLI command.
class AppError : public std::runtime_error {
 public:
  explicit AppError(Error error) : std::runtime_error(error.message), error_(std::move(error)) {}
  AppError(ErrorCode code, std::string message, std::string detail = {})
      : AppError(Error{code, std::move(message), std::move(detail)}) {}

  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

/// A configuration value is wrong. The CLI exits with status 2 and prints the message, which names
/// the key path and what was expected.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace personae
