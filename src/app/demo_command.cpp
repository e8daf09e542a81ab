// `personae demo`: fills an empty installation with a demo agency, its owner, two fictional
// personas and a vault of pictures drawn here, so that a newcomer sees a living dashboard at once.
// Everything goes through the same services as the API (validation, audit, provenance).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "adapters/media/demo_art.hpp"
#include "app/accounts_wiring.hpp"
#include "app/commands.hpp"
#include "app/content_wiring.hpp"
#include "app/storage.hpp"
#include "app/vault_wiring.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"

namespace personae {
namespace {

constexpr const char* kDemoTenant = "Demo Agency";

template <class T>
T or_throw(Result<T> result) {
  if (!result) throw AppError(result.error());
  return std::move(*result);
}

struct DemoPicture {
  std::string title;
  std::string category;
  Rating rating = Rating::kSfw;
  std::vector<std::string> tags;
  std::string description;
};

struct DemoPersona {
  std::function<void(Persona&)> describe;
  std::array<std::uint8_t, 3> top;
  std::array<std::uint8_t, 3> bottom;
  std::vector<DemoPicture> pictures;
};

DestinationBoundary boundary(Platform platform, std::vector<Rating> ratings) {
  return DestinationBoundary{platform, std::move(ratings), {}};
}

std::vector<DemoPersona> demo_personas() {
  DemoPersona luna;
  luna.describe = [](Persona& p) {
    p.display_name = "Luna Vale";
    p.bio =
        "Invented character: a 27-year-old night-owl photographer who lives for neon cities and rooftop "
        "sunsets.";
    p.timezone = "America/Los_Angeles";
    p.languages = {"en"};
    p.handles = {{Platform::kX, "lunavale_ai"},
                 {Platform::kInstagram, "luna.vale.ai"},
                 {Platform::kFanvue, "lunavale"}};
    p.voice.tone = "playful, warm, a little mysterious";
    p.voice.vocabulary = {"golden hour", "city lights", "late-night thoughts"};
    p.voice.banned_words = {"babe"};
    p.voice.topics_to_avoid = {"politics", "religion"};
    p.voice.hashtags = {"LunaVale", "AIcreator"};
    p.voice.emoji_use = EmojiUse::kLight;
    p.boundaries = {boundary(Platform::kX, {Rating::kSfw, Rating::kSuggestive}),
                    boundary(Platform::kInstagram, {Rating::kSfw}),
                    boundary(Platform::kFanvue, {Rating::kSfw, Rating::kSuggestive, Rating::kExplicit})};
    p.review_mode = ReviewMode::kReviewExplicitOnly;
    p.character.description =
        "Luna is an invented adult character: a freelance photographer in her late twenties.";
    p.character.personality = "curious, teasing, kind";
    p.character.first_message = "Hey you. Just got back from a rooftop shoot, want to see?";
  };
  luna.top = {0x1b, 0x12, 0x3f};
  luna.bottom = {0xe8, 0x6a, 0x92};
  luna.pictures = {
      {"Luna Vale\nrooftop sunset",
       "lifestyle",
       Rating::kSfw,
       {"sunset", "rooftop"},
       "Golden hour on a rooftop."},
      {"Luna Vale\nneon nights", "lifestyle", Rating::kSfw, {"neon", "city"}, "Neon signs after the rain."},
      {"Luna Vale\nstudio session",
       "portrait",
       Rating::kSuggestive,
       {"studio"},
       "Studio portrait, soft light."},
      {"Luna Vale\ncoffee & film",
       "lifestyle",
       Rating::kSfw,
       {"coffee", "film"},
       "Developing film with a coffee."},
  };

  DemoPersona camille;
  camille.describe = [](Persona& p) {
    p.display_name = "Camille Noir";
    p.bio = "Personnage inventé : une créatrice parisienne de 31 ans, mode, vin nature et jazz.";
    p.timezone = "Europe/Paris";
    p.languages = {"fr", "en"};
    p.handles = {{Platform::kInstagram, "camille.noir.ia"}, {Platform::kReddit, "camille_noir_ai"}};
    p.voice.tone = "élégante, malicieuse, complice";
    p.voice.vocabulary = {"rive gauche", "apéro", "jazz"};
    p.voice.topics_to_avoid = {"politique"};
    p.voice.hashtags = {"CamilleNoir", "CreatriceIA"};
    p.voice.emoji_use = EmojiUse::kNone;
    p.boundaries = {boundary(Platform::kInstagram, {Rating::kSfw}),
                    boundary(Platform::kReddit, {Rating::kSfw, Rating::kSuggestive})};
    p.review_mode = ReviewMode::kReviewAll;
    p.character.description = "Camille est un personnage adulte inventé : créatrice de mode parisienne.";
    p.character.personality = "élégante, drôle, directe";
    p.character.first_message = "Bonsoir ! Je sors d'un défilé, raconte-moi ta journée.";
  };
  camille.top = {0x0f, 0x1c, 0x2e};
  camille.bottom = {0xc9, 0xa2, 0x5f};
  camille.pictures = {
      {"Camille Noir\nrive gauche", "lifestyle", Rating::kSfw, {"paris"}, "Balade rive gauche."},
      {"Camille Noir\nsoirée jazz", "lifestyle", Rating::kSfw, {"jazz"}, "Soirée jazz au club."},
      {"Camille Noir\natelier", "portrait", Rating::kSuggestive, {"mode"}, "Séance photo à l'atelier."},
  };
  return {luna, camille};
}

}  // namespace

int demo_command(const Config& config, const std::string& email) {
  SystemClock clock;
  Storage storage = open_storage(config, clock);
  require_current_schema(config, storage);
  auto accounts = build_accounts(config, storage, clock, nullptr);
  const auto tenants = or_throw(accounts->setup->list_tenants());
  if (!tenants.empty()) {
    throw AppError(ErrorCode::kFailedPrecondition,
                   "demo fills an empty installation, and this one has " + std::to_string(tenants.size()) +
                       " tenant(s); use another --data-dir (or database) for the demo");
  }
  // A password nobody chose: printed once, like the setup link.
  const std::string password = "demo-" + random_hex(10);
  or_throw(accounts->setup->create_tenant(kDemoTenant));
  const auto account =
      or_throw(accounts->setup->create_user(kDemoTenant, email, Role::kOwner, password, "Demo owner"));
  auto vault = build_vault(config, storage, clock);

  Principal owner;
  owner.user_id = account.user.id;
  owner.tenant_id = account.tenant.id;
  owner.role = Role::kOwner;
  const ClientInfo client{"127.0.0.1", "personae demo", "demo"};

  const auto scratch = std::filesystem::path(config.data_dir) / "tmp" / ("demo-" + random_hex(4));
  std::filesystem::create_directories(scratch);
  auto content = build_content(config, storage, *vault, clock, nullptr);
  int pictures = 0;
  int captions = 0;
  std::uint32_t seed = 1;
  for (const auto& demo : demo_personas()) {
    const auto created = or_throw(vault->personas->create(owner, demo.describe, client));
    const auto& persona = created.persona;
    or_throw(vault->personas->activate(owner, persona.id, true, client));
    for (const auto& picture : demo.pictures) {
      media::DemoArt art;
      art.top = demo.top;
      art.bottom = demo.bottom;
      art.title = picture.title;
      art.seed = seed++;
      const auto png = or_throw(media::render_demo_art(art));
      const auto file = scratch / ("demo-" + std::to_string(pictures) + ".png");
      std::ofstream(file, std::ios::binary) << png;
      NewMedia item;
      item.file = file;
      item.original_name = "demo-" + std::to_string(pictures + 1) + ".png";
      item.declared_mime = "image/png";
      item.persona_id = persona.id;
      item.category = picture.category;
      item.rating = picture.rating;
      item.tags = picture.tags;
      item.description = picture.description;
      item.source = MediaSource::kGeneration;
      item.generator = "personae demo (libvips)";
      const auto added = or_throw(vault->media->add(owner, item, client));
      std::filesystem::remove(file);
      // Caption jobs for the first picture of each persona: the workers of `serve` run them (a
      // template-only draft at once; the AI ones once a language model answers).
      if (&picture == &demo.pictures.front()) {
        // An AI caption for every destination the picture may go to, and one template-only draft.
        bool drafted = false;
        for (const auto& destination : persona.boundaries) {
          const auto& ratings = destination.allowed_ratings;
          if (std::find(ratings.begin(), ratings.end(), picture.rating) == ratings.end()) continue;
          for (const bool template_only : {false, true}) {
            if (template_only && drafted) continue;
            CaptionOrder order;
            order.persona_id = persona.id;
            order.media_id = added.item.id;
            order.platform = destination.platform;
            order.template_only = template_only;
            or_throw(content->caption_service->order(owner, order, client));
            drafted = drafted || template_only;
            ++captions;
          }
        }
      }
      ++pictures;
    }
    std::cout << "persona " << persona.display_name << " (" << persona.id << ") is active\n";
  }
  std::filesystem::remove_all(scratch);

  std::cout << "demo ready: tenant \"" << kDemoTenant << "\" with " << pictures
            << " pictures in the vault and " << captions
            << " caption jobs queued (the workers of `personae serve` run them).\n"
            << "Sign in as " << email << " with the password " << password << "\n"
            << "(shown once; change it under Account once signed in).\n";
  return kExitOk;
}

}  // namespace personae
