#include "app/routes.hpp"

#include <chrono>
#include <span>
#include <stdexcept>

#include "adapters/cards/character_card.hpp"
#include "adapters/json/caption_json.hpp"
#include "core/embedded_file.hpp"
#include "http/handlers/account_handlers.hpp"
#include "http/handlers/caption_handlers.hpp"
#include "http/handlers/job_handlers.hpp"
#include "http/handlers/media_handlers.hpp"
#include "http/handlers/persona_handlers.hpp"
#include "http/handlers/system_handlers.hpp"
#include "http/problem.hpp"
#include "security/tokens.hpp"
#include "services/accounts/authenticator.hpp"
#include "services/captions/caption_service.hpp"

namespace personae {

std::span<const EmbeddedFile> openapi_files();  // generated from api/ by personae_embed_files

std::string_view openapi_document() {
  for (const auto& file : openapi_files()) {
    if (file.name == "openapi.yaml") return file.contents;
  }
  return {};
}

http::auth::VerifyToken bearer_verifier(Authenticator& authenticator, RateLimiter& limiter,
                                        const AccountsOptions& options) {
  return [&authenticator, &limiter, &options](std::string_view token) -> Result<Principal> {
    auto principal = token.starts_with(security::ApiKey::kScheme)
                         ? authenticator.authenticate_api_key(token)
                         : authenticator.authenticate_access_token(token);
    if (!principal) return principal;
    // A refusal becomes a 429 with its Retry-After, like every other failure of the verifier.
    if (auto allowed = check_tenant_api_rate(limiter, options, *principal); !allowed) {
      return tl::unexpected(allowed.error());
    }
    return principal;
  };
}

http::BodyPolicy upload_policy(const MediaConfig& media) {
  // The other form fields and the part headers fit in 64 KiB.
  return http::BodyPolicy{media.max_upload_bytes + 64 * 1024, media.upload_timeout, true};
}

void register_operational_routes(http::Router& router, ReadinessService& readiness,
                                 std::function<std::string()> render_metrics,
                                 const std::string& metrics_token) {
  using http::Execution;
  using http::Method;
  namespace handlers = http::handlers;
  const auto open = http::RouteAccess::public_route();
  router.add(Method::kGet, "/health", open, handlers::health(), Execution::kInline);
  router.add(Method::kGet, "/ready", open, handlers::ready(readiness));
  // Public in the matrix: the handler checks metrics.token itself (or serves loopback only).
  router.add(Method::kGet, "/metrics", open, handlers::metrics(std::move(render_metrics), metrics_token),
             Execution::kInline);
}

void register_routes(http::Router& router, const RouteDependencies& dependencies) {
  using http::Execution;
  using http::Method;
  using http::RouteAccess;
  namespace handlers = http::handlers;
  if (dependencies.accounts == nullptr) throw std::invalid_argument("register_routes: no account services");
  if (dependencies.vault == nullptr) throw std::invalid_argument("register_routes: no vault services");
  if (dependencies.content == nullptr) throw std::invalid_argument("register_routes: no content services");
  const ContentRouteDependencies& content = *dependencies.content;
  const VaultRouteDependencies& vault = *dependencies.vault;
  const AccountRouteDependencies& accounts = *dependencies.accounts;
  const auto& authenticator = accounts.authenticator;
  const auto& cookies = authenticator.cookies();
  const auto open = RouteAccess::public_route();
  const auto signed_in = RouteAccess::any_principal();
  // Every non-public route goes through here, so its declared access is the one enforced.
  const auto secured = [&](Method method, std::string pattern, RouteAccess access,
                           http::auth::PrincipalHandler handler, http::BodyPolicy body = {}) {
    router.add(method, std::move(pattern), access,
               http::auth::guard(authenticator, access, std::move(handler)), Execution::kBlocking, body);
  };
  // Account bodies are a few fields (credentials, a role, a code): they are capped far below the
  // server-wide limit, and the OpenAPI document states each cap (x-personae-max-body-bytes).
  const http::BodyPolicy small_body{handlers::kMaxCredentialBodyBytes, std::nullopt, false};

  register_operational_routes(router, dependencies.readiness, dependencies.render_metrics,
                              dependencies.metrics_token);
  router.add(Method::kGet, "/api/v1/version", open, handlers::version(dependencies.build),
             Execution::kInline);
  router.add(Method::kGet, "/api/v1/openapi.yaml", open,
             handlers::openapi_document(dependencies.openapi_document), Execution::kInline);
  // The system chain's head is public by design (publishing it is the point); tenant chains are
  // read through audit.read routes.
  router.add(Method::kGet, "/api/v1/audit/head", open, handlers::audit_head(dependencies.audit));

  // Sign-in: public; the body's credential (password, ticket, refresh token) is checked by the
  // service.
  const auto sign_in = [&](std::string pattern, http::Handler handler) {
    router.add(Method::kPost, std::move(pattern), open, std::move(handler), Execution::kBlocking, small_body);
  };
  sign_in("/api/v1/auth/login", handlers::login(accounts.auth, cookies));
  sign_in("/api/v1/auth/mfa-enrolment", handlers::begin_required_enrolment(accounts.auth));
  sign_in("/api/v1/auth/mfa-enrolment/confirm",
          handlers::complete_required_enrolment(accounts.auth, cookies));
  sign_in("/api/v1/auth/refresh", handlers::refresh(accounts.auth, cookies));
  sign_in("/api/v1/auth/logout", handlers::logout(accounts.auth, cookies));
  secured(Method::kPost, "/api/v1/auth/logout-all", signed_in,
          handlers::logout_all_as(accounts.auth, cookies));

  secured(Method::kGet, "/api/v1/me", signed_in, handlers::me_as(accounts.team));
  secured(Method::kPost, "/api/v1/me/password", signed_in,
          handlers::change_password_as(accounts.auth, cookies), small_body);
  secured(Method::kGet, "/api/v1/sessions", signed_in, handlers::list_sessions_as(accounts.auth, cookies));
  secured(Method::kDelete, "/api/v1/sessions/{id}", signed_in, handlers::revoke_session_as(accounts.auth));
  secured(Method::kPost, "/api/v1/me/totp", signed_in, handlers::begin_totp_as(accounts.second_factor),
          small_body);
  secured(Method::kPost, "/api/v1/me/totp/confirm", signed_in,
          handlers::confirm_totp_as(accounts.second_factor), small_body);
  secured(Method::kDelete, "/api/v1/me/totp", signed_in, handlers::disable_totp_as(accounts.second_factor),
          small_body);
  secured(Method::kPost, "/api/v1/me/recovery-codes", signed_in,
          handlers::regenerate_recovery_codes_as(accounts.second_factor), small_body);

  secured(Method::kPatch, "/api/v1/tenant", RouteAccess::action(Action::kTenantManageSecurity),
          handlers::update_tenant_as(accounts.second_factor), small_body);
  secured(Method::kGet, "/api/v1/members", RouteAccess::action(Action::kMemberList),
          handlers::list_members_as(accounts.team));
  secured(Method::kPatch, "/api/v1/members/{user_id}", RouteAccess::action(Action::kMemberManage),
          handlers::update_member_as(accounts.team), small_body);
  secured(Method::kDelete, "/api/v1/members/{user_id}", RouteAccess::action(Action::kMemberManage),
          handlers::remove_member_as(accounts.team));
  secured(Method::kGet, "/api/v1/invitations", RouteAccess::action(Action::kMemberInvite),
          handlers::list_invitations_as(accounts.team));
  secured(Method::kPost, "/api/v1/invitations", RouteAccess::action(Action::kMemberInvite),
          handlers::create_invitation_as(accounts.team), small_body);
  secured(Method::kDelete, "/api/v1/invitations/{id}", RouteAccess::action(Action::kMemberInvite),
          handlers::revoke_invitation_as(accounts.team));
  secured(Method::kPost, "/api/v1/invitations/accept", signed_in,
          handlers::accept_invitation_as(accounts.team), small_body);
  sign_in("/api/v1/invitations/register", handlers::register_with_invitation(accounts.team));
  secured(Method::kGet, "/api/v1/api-keys", RouteAccess::action(Action::kApiKeyList),
          handlers::list_api_keys_as(accounts.team));
  secured(Method::kPost, "/api/v1/api-keys", RouteAccess::action(Action::kApiKeyManage),
          handlers::create_api_key_as(accounts.team), small_body);
  secured(Method::kDelete, "/api/v1/api-keys/{id}", RouteAccess::action(Action::kApiKeyManage),
          handlers::revoke_api_key_as(accounts.team));

  const auto persona_read = RouteAccess::action(Action::kPersonaRead);
  const auto persona_manage = RouteAccess::action(Action::kPersonaManage);
  const auto persona_activate = RouteAccess::action(Action::kPersonaActivate);
  secured(Method::kGet, "/api/v1/personas", persona_read, handlers::list_personas_as(vault.personas));
  // A persona with a large lorebook runs to megabytes; 4 MiB keeps room without a blank cheque.
  const http::BodyPolicy persona_body{std::size_t{4} << 20, std::nullopt, false};
  secured(Method::kPost, "/api/v1/personas", persona_manage, handlers::create_persona_as(vault.personas),
          persona_body);
  // Literal segments win over {id}: /api/v1/personas/import is never a persona id.
  secured(Method::kPost, "/api/v1/personas/import", persona_manage,
          handlers::import_persona_as(vault.personas),
          http::BodyPolicy{cards::kMaxCardPngBytes, std::nullopt, false});
  secured(Method::kGet, "/api/v1/personas/{id}/card", persona_manage,
          handlers::export_persona_card_as(vault.personas, vault.media));
  secured(Method::kGet, "/api/v1/personas/{id}", persona_read, handlers::get_persona_as(vault.personas));
  secured(Method::kPatch, "/api/v1/personas/{id}", persona_manage,
          handlers::update_persona_as(vault.personas), persona_body);
  secured(Method::kDelete, "/api/v1/personas/{id}", persona_manage,
          handlers::delete_persona_as(vault.personas));
  secured(Method::kPost, "/api/v1/personas/{id}/activate", persona_activate,
          handlers::activate_persona_as(vault.personas), small_body);
  secured(Method::kPost, "/api/v1/personas/{id}/deactivate", persona_activate,
          handlers::deactivate_persona_as(vault.personas), small_body);
  secured(Method::kPut, "/api/v1/personas/{id}/consent", persona_activate,
          handlers::record_consent_as(vault.personas), small_body);
  secured(Method::kDelete, "/api/v1/personas/{id}/consent", persona_activate,
          handlers::withdraw_consent_as(vault.personas));

  const auto media_read = RouteAccess::action(Action::kMediaRead);
  const auto media_manage = RouteAccess::action(Action::kMediaManage);
  secured(Method::kPost, "/api/v1/media", media_manage, handlers::upload_media_as(vault.media), vault.upload);
  secured(Method::kGet, "/api/v1/media", media_read, handlers::list_media_as(vault.media));
  secured(Method::kGet, "/api/v1/media/folders", media_read, handlers::media_folders_as(vault.media));
  secured(Method::kGet, "/api/v1/media/categories", media_read,
          handlers::list_media_categories_as(vault.media));
  secured(Method::kPost, "/api/v1/media/categories", media_manage,
          handlers::add_media_category_as(vault.media), small_body);
  secured(Method::kDelete, "/api/v1/media/categories/{name}", media_manage,
          handlers::remove_media_category_as(vault.media));
  secured(Method::kGet, "/api/v1/media/{id}", media_read, handlers::get_media_as(vault.media));
  secured(Method::kPatch, "/api/v1/media/{id}", media_manage, handlers::update_media_as(vault.media),
          small_body);
  secured(Method::kDelete, "/api/v1/media/{id}", media_manage, handlers::delete_media_as(vault.media));
  secured(Method::kGet, "/api/v1/media/{id}/variants/{variant}", media_read,
          handlers::media_variant_as(vault.media));
  secured(Method::kPost, "/api/v1/media/{id}/links", media_read, handlers::create_media_link_as(vault.media),
          small_body);
  // Public: the link's signature is the credential (checked by the service; any failure is 404).
  router.add(Method::kGet, "/api/v1/media/files/{tenant_id}/{id}/{variant}", open,
             handlers::media_file_by_link(vault.media));

  const auto caption_read = RouteAccess::action(Action::kCaptionRead);
  const auto caption_write = RouteAccess::action(Action::kCaptionWrite);
  // A brief is up to 2,000 characters (8 KB of UTF-8).
  secured(Method::kPost, "/api/v1/captions", caption_write, handlers::order_caption_as(content.captions),
          http::BodyPolicy{std::size_t{16} << 10, std::nullopt, false});
  secured(Method::kGet, "/api/v1/captions", caption_read, handlers::list_captions_as(content.captions));
  secured(Method::kGet, "/api/v1/captions/{id}", caption_read, handlers::get_caption_as(content.captions));
  // An edited caption may run to Reddit's 40,000-character body.
  secured(Method::kPatch, "/api/v1/captions/{id}", caption_write, handlers::edit_caption_as(content.captions),
          http::BodyPolicy{std::size_t{256} << 10, std::nullopt, false});
  secured(Method::kPost, "/api/v1/captions/{id}/approve", RouteAccess::action(Action::kCaptionApprove),
          handlers::approve_caption_as(content.captions), small_body);
  secured(Method::kGet, "/api/v1/content-settings", RouteAccess::action(Action::kContentSettingsRead),
          handlers::get_content_settings_as(content.captions));
  // Up to 2,000 entries in each of four lists, plus templates.
  secured(Method::kPut, "/api/v1/content-settings", RouteAccess::action(Action::kContentSettingsManage),
          handlers::put_content_settings_as(content.captions),
          http::BodyPolicy{std::size_t{2} << 20, std::nullopt, false});

  const auto job_read = RouteAccess::action(Action::kJobRead);
  const auto job_manage = RouteAccess::action(Action::kJobManage);
  secured(Method::kGet, "/api/v1/jobs", job_read, handlers::list_jobs_as(content.jobs));
  secured(Method::kGet, "/api/v1/jobs/queues", job_read, handlers::job_queues_as(content.jobs));
  CaptionService& captions = content.captions;
  secured(Method::kGet, "/api/v1/jobs/{id}", job_read,
          handlers::get_job_as(
              content.jobs,
              [&captions](const Principal& principal, const Job& job) -> std::optional<nlohmann::json> {
                // A caption job shows its caption, as the dashboard follows a generation through it.
                if (!principal.can(Action::kCaptionRead)) return std::nullopt;
                const auto view = captions.of_job(principal, job);
                if (!view) return std::nullopt;
                auto json = json::caption_to_json(view->caption);
                json["job_state"] =
                    view->job_state ? nlohmann::json(to_string(*view->job_state)) : nlohmann::json();
                return json;
              }));
  secured(Method::kPost, "/api/v1/jobs/{id}/retry", job_manage, handlers::retry_job_as(content.jobs),
          small_body);
  secured(Method::kPost, "/api/v1/jobs/{id}/cancel", job_manage, handlers::cancel_job_as(content.jobs),
          small_body);
  secured(Method::kPost, "/api/v1/jobs/{id}/replay", job_manage, handlers::replay_job_as(content.jobs),
          small_body);
  secured(Method::kGet, "/api/v1/llm/models", RouteAccess::action(Action::kLlmRead),
          handlers::llm_models_as(content.gateway));

  router.add(Method::kGet, "/api/v1/setup", open, handlers::setup_status(accounts.setup));
  sign_in("/api/v1/setup", handlers::complete_setup(accounts.setup));
}

}  // namespace personae
