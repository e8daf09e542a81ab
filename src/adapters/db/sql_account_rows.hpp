#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/accounts/membership.hpp"
#include "domain/accounts/role.hpp"

namespace personae::sql_rows {

// Shared plumbing of the accounts repositories (adapters/db only).

/// A nullable BIGINT, bound to a statement as a value and an indicator.
struct NullableInt64 {
  long long value = 0;
  soci::indicator indicator = soci::i_null;

  NullableInt64() = default;
  explicit NullableInt64(const std::optional<std::int64_t>& from)
      : value(from.value_or(0)), indicator(from.has_value() ? soci::i_ok : soci::i_null) {}
  std::optional<std::int64_t> get() const {
    return indicator == soci::i_ok ? std::optional<std::int64_t>(value) : std::nullopt;
  }
};

/// A nullable TEXT, bound to a statement as a value and an indicator.
struct NullableText {
  std::string value;
  soci::indicator indicator = soci::i_null;

  NullableText() = default;
  explicit NullableText(const std::optional<std::string>& from)
      : value(from.value_or("")), indicator(from.has_value() ? soci::i_ok : soci::i_null) {}
  std::optional<std::string> get() const {
    return indicator == soci::i_ok ? std::optional<std::string>(value) : std::nullopt;
  }
};

/// " AND <column> IN (:p0, :p1, ...)" with one placeholder per value; bind_in_list binds them.
/// (An empty list matches nothing: callers return early instead of asking.)
inline std::string in_list_clause(const std::string& column, std::size_t count) {
  std::string clause = " AND " + column + " IN (";
  for (std::size_t i = 0; i < count; ++i) clause += (i == 0 ? ":p" : ", :p") + std::to_string(i);
  return clause + ")";
}

/// Binds the values of an in_list_clause; `values` must outlive the statement.
template <class Prepared>
void bind_in_list(Prepared& prepared, const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) prepared, soci::use(values[i], "p" + std::to_string(i));
}

/// Runs `query` with the output columns bound by `Columns::bind(prepared)` and the inputs bound by
/// `bind_inputs(prepared)`, and returns `Columns::value()` for each row.
template <class Columns, class BindInputs>
auto fetch_rows(soci::session& sql, const std::string& query, BindInputs&& bind_inputs) {
  Columns columns;
  soci::details::prepare_temp_type prepared = (sql.prepare << query);
  columns.bind(prepared);
  bind_inputs(prepared);
  soci::statement statement(prepared);
  statement.execute();
  std::vector<decltype(columns.value())> rows;
  while (statement.fetch()) rows.push_back(columns.value());
  return rows;
}

/// fetch_rows for a query that matches at most one row.
template <class Columns, class BindInputs>
auto fetch_one(soci::session& sql, const std::string& query, BindInputs&& bind_inputs) {
  auto rows = fetch_rows<Columns>(sql, query, std::forward<BindInputs>(bind_inputs));
  using Row = typename decltype(rows)::value_type;
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

/// Runs a data-changing statement with its inputs bound by `bind_inputs(prepared)`; returns the
/// number of rows it changed (the compare-and-set operations read their outcome from it).
template <class BindInputs>
std::int64_t execute_counting(soci::session& sql, const std::string& query, BindInputs&& bind_inputs) {
  soci::details::prepare_temp_type prepared = (sql.prepare << query);
  bind_inputs(prepared);
  soci::statement statement(prepared);
  statement.execute(true);
  return statement.get_affected_rows();
}

/// Throws AppError(kNotFound, `message`) when `changed` is 0.
void require_found(std::int64_t changed, const char* message);

/// The stored spelling of a role, and back (a stored value outside the CHECK list is kInternal).
std::string role_text(Role role);
Role role_from_text(const std::string& text);

/// Resource scopes as stored: a JSON array of {"kind": ..., "ids": [...]}. Malformed stored text
/// is kInternal.
std::string encode_scopes(const std::vector<ResourceScope>& scopes);
std::vector<ResourceScope> decode_scopes(const std::string& text);

/// A list of names as stored: a JSON array of strings. Malformed stored text is kInternal.
std::string encode_names(const std::vector<std::string>& names);
std::vector<std::string> decode_names(const std::string& text);

}  // namespace personae::sql_rows
