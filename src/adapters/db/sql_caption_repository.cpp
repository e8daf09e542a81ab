#include "adapters/db/sql_caption_repository.hpp"

#include "adapters/db/soci_transaction.hpp"
#include "adapters/db/sql_account_rows.hpp"
#include "adapters/db/tenant_scope.hpp"
#include "adapters/json/caption_json.hpp"

namespace personae {
namespace {

using sql_rows::execute_counting;
using sql_rows::fetch_one;
using sql_rows::fetch_rows;
using sql_rows::NullableInt64;
using sql_rows::NullableText;

constexpr const char* kSelectCaption =
    "SELECT id, tenant_id, persona_id, media_id, platform, status, job_id, document, revision, created_by, "
    "created_at, updated_at FROM captions ";

nlohmann::json parse_document(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

struct CaptionColumns {
  std::string id;
  std::string tenant_id;
  std::string persona_id;
  NullableText media_id;
  std::string platform;
  std::string status;
  NullableInt64 job_id;
  std::string document;
  long long revision = 0;
  std::string created_by;
  long long created_at = 0;
  long long updated_at = 0;

  void bind(soci::details::prepare_temp_type& prepared) {
    prepared, soci::into(id), soci::into(tenant_id), soci::into(persona_id),
        soci::into(media_id.value, media_id.indicator), soci::into(platform), soci::into(status),
        soci::into(job_id.value, job_id.indicator), soci::into(document), soci::into(revision),
        soci::into(created_by), soci::into(created_at), soci::into(updated_at);
  }

  captions::Caption value() const {
    captions::Caption caption;
    caption.id = id;
    caption.tenant_id = tenant_id;
    caption.persona_id = persona_id;
    caption.media_id = media_id.get();
    const auto parsed_platform = parse_platform(platform);
    const auto parsed_status = captions::parse_caption_status(status);
    if (!parsed_platform || !parsed_status)
      throw AppError(ErrorCode::kInternal, "a stored caption is malformed");
    caption.platform = *parsed_platform;
    caption.status = *parsed_status;
    caption.job_id = job_id.get();
    caption.revision = revision;
    caption.created_by = created_by;
    caption.created_at_unix_ms = created_at;
    caption.updated_at_unix_ms = updated_at;
    if (auto read = json::read_caption_document(parse_document(document), caption); !read) {
      throw AppError(read.error());
    }
    return caption;
  }
};

// The columns written from a caption.
struct CaptionRow {
  explicit CaptionRow(const captions::Caption& caption)
      : media_id(caption.media_id),
        platform(to_string(caption.platform)),
        status(to_string(caption.status)),
        job_id(caption.job_id),
        document(json::caption_document(caption).dump()),
        revision(caption.revision),
        created_at(caption.created_at_unix_ms),
        updated_at(caption.updated_at_unix_ms) {}

  NullableText media_id;
  std::string platform;
  std::string status;
  NullableInt64 job_id;
  std::string document;
  long long revision;
  long long created_at;
  long long updated_at;
};

}  // namespace

void SqlCaptionRepository::insert(Transaction& tx, const captions::Caption& caption) {
  scope_to_tenant(tx, caption.tenant_id);
  CaptionRow row(caption);
  soci_session(tx)
      << "INSERT INTO captions (id, tenant_id, persona_id, media_id, platform, status, job_id, "
         "document, revision, created_by, created_at, updated_at) VALUES (:id, :tenant_id, "
         ":persona_id, :media_id, :platform, :status, :job_id, :document, :revision, :created_by, "
         ":created_at, :updated_at)",
      soci::use(caption.id, "id"), soci::use(caption.tenant_id, "tenant_id"),
      soci::use(caption.persona_id, "persona_id"),
      soci::use(row.media_id.value, row.media_id.indicator, "media_id"), soci::use(row.platform, "platform"),
      soci::use(row.status, "status"), soci::use(row.job_id.value, row.job_id.indicator, "job_id"),
      soci::use(row.document, "document"), soci::use(row.revision, "revision"),
      soci::use(caption.created_by, "created_by"), soci::use(row.created_at, "created_at"),
      soci::use(row.updated_at, "updated_at");
}

std::optional<captions::Caption> SqlCaptionRepository::find(Transaction& tx, const std::string& tenant_id,
                                                            const std::string& id) {
  scope_to_tenant(tx, tenant_id);
  return fetch_one<CaptionColumns>(
      soci_session(tx), std::string(kSelectCaption) + "WHERE tenant_id = :tenant_id AND id = :id",
      [&](auto& prepared) { prepared, soci::use(tenant_id, "tenant_id"), soci::use(id, "id"); });
}

std::vector<captions::Caption> SqlCaptionRepository::list(Transaction& tx, const CaptionFilter& filter) {
  scope_to_tenant(tx, filter.tenant_id);
  if (filter.persona_ids && filter.persona_ids->empty()) return {};
  std::string query = std::string(kSelectCaption) + "WHERE tenant_id = :tenant_id";
  if (filter.persona_id) query += " AND persona_id = :persona_id";
  if (filter.media_id) query += " AND media_id = :media_id";
  if (filter.status) query += " AND status = :status";
  if (filter.platform) query += " AND platform = :platform";
  if (filter.persona_ids) query += sql_rows::in_list_clause("persona_id", filter.persona_ids->size());
  if (filter.before) {
    query += " AND (created_at < :before_at OR (created_at = :before_at2 AND id < :before_id))";
  }
  query += " ORDER BY created_at DESC, id DESC LIMIT :limit";
  const std::string status = filter.status ? std::string(to_string(*filter.status)) : "";
  const std::string platform = filter.platform ? std::string(to_string(*filter.platform)) : "";
  const long long before_at = filter.before ? filter.before->first : 0;
  const long long limit = static_cast<long long>(filter.limit) + 1;
  return fetch_rows<CaptionColumns>(soci_session(tx), query, [&](auto& prepared) {
    prepared, soci::use(filter.tenant_id, "tenant_id");
    if (filter.persona_id) prepared, soci::use(*filter.persona_id, "persona_id");
    if (filter.media_id) prepared, soci::use(*filter.media_id, "media_id");
    if (filter.status) prepared, soci::use(status, "status");
    if (filter.platform) prepared, soci::use(platform, "platform");
    if (filter.persona_ids) sql_rows::bind_in_list(prepared, *filter.persona_ids);
    if (filter.before) {
      prepared, soci::use(before_at, "before_at"), soci::use(before_at, "before_at2"),
          soci::use(filter.before->second, "before_id");
    }
    prepared, soci::use(limit, "limit");
  });
}

bool SqlCaptionRepository::update(Transaction& tx, const captions::Caption& caption,
                                  std::int64_t expected_revision) {
  scope_to_tenant(tx, caption.tenant_id);
  CaptionRow row(caption);
  const long long expected = expected_revision;
  const auto changed = execute_counting(
      soci_session(tx),
      "UPDATE captions SET media_id = :media_id, status = :status, job_id = :job_id, document = :document, "
      "revision = :revision, updated_at = :updated_at "
      "WHERE tenant_id = :tenant_id AND id = :id AND revision = :expected",
      [&](auto& prepared) {
        prepared, soci::use(row.media_id.value, row.media_id.indicator, "media_id"),
            soci::use(row.status, "status"), soci::use(row.job_id.value, row.job_id.indicator, "job_id"),
            soci::use(row.document, "document"), soci::use(row.revision, "revision"),
            soci::use(row.updated_at, "updated_at"), soci::use(caption.tenant_id, "tenant_id"),
            soci::use(caption.id, "id"), soci::use(expected, "expected");
      });
  if (changed == 1) return true;
  if (!find(tx, caption.tenant_id, caption.id)) throw AppError(ErrorCode::kNotFound, "no such caption");
  return false;
}

captions::ContentSettings SqlContentSettingsRepository::get(Transaction& tx, const std::string& tenant_id) {
  scope_to_tenant(tx, tenant_id);
  std::string document;
  std::string updated_by;
  long long revision = 0;
  long long updated_at = 0;
  soci::indicator found = soci::i_null;
  soci_session(tx) << "SELECT document, revision, updated_by, updated_at FROM tenant_content_settings "
                      "WHERE tenant_id = :tenant_id",
      soci::into(document, found), soci::into(revision), soci::into(updated_by), soci::into(updated_at),
      soci::use(tenant_id, "tenant_id");
  if (!soci_session(tx).got_data()) return {};
  auto settings = json::content_settings_from_document(parse_document(document));
  if (!settings) throw AppError(settings.error());
  settings->revision = revision;
  settings->updated_by = updated_by;
  settings->updated_at_unix_ms = updated_at;
  return std::move(*settings);
}

bool SqlContentSettingsRepository::put(Transaction& tx, const std::string& tenant_id,
                                       const captions::ContentSettings& settings,
                                       std::int64_t expected_revision) {
  scope_to_tenant(tx, tenant_id);
  const std::string document = json::content_settings_to_json(settings).dump();
  const long long revision = settings.revision;
  const long long updated_at = settings.updated_at_unix_ms;
  const long long expected = expected_revision;
  soci::session& sql = soci_session(tx);
  if (expected_revision == 0) {
    // The first save: the primary key turns a concurrent first save into a conflict.
    long long existing = 0;
    sql << "SELECT COUNT(*) FROM tenant_content_settings WHERE tenant_id = :tenant_id", soci::into(existing),
        soci::use(tenant_id, "tenant_id");
    if (existing > 0) return false;
    sql << "INSERT INTO tenant_content_settings (tenant_id, document, revision, updated_by, updated_at) "
           "VALUES (:tenant_id, :document, :revision, :updated_by, :updated_at)",
        soci::use(tenant_id, "tenant_id"), soci::use(document, "document"), soci::use(revision, "revision"),
        soci::use(settings.updated_by, "updated_by"), soci::use(updated_at, "updated_at");
    return true;
  }
  return execute_counting(sql,
                          "UPDATE tenant_content_settings SET document = :document, revision = :revision, "
                          "updated_by = :updated_by, updated_at = :updated_at "
                          "WHERE tenant_id = :tenant_id AND revision = :expected",
                          [&](auto& prepared) {
                            prepared, soci::use(document, "document"), soci::use(revision, "revision"),
                                soci::use(settings.updated_by, "updated_by"),
                                soci::use(updated_at, "updated_at"), soci::use(tenant_id, "tenant_id"),
                                soci::use(expected, "expected");
                          }) == 1;
}

}  // namespace personae
