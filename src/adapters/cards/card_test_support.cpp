#include "adapters/cards/card_test_support.hpp"

namespace personae::cards::testing {
namespace {

// The form an import stores: compact, keys sorted.
std::string canonical(const char* json) {
  return nlohmann::json::parse(json).dump();
}

}  // namespace

Persona full_persona() {
  Persona persona;
  persona.id = "prs_01HZX";
  persona.tenant_id = "tnt_01HZX";
  persona.display_name = "Luna Vale";
  persona.handles = {{Platform::kX, "luna_vale"}, {Platform::kFanvue, "luna.vale"}};
  persona.bio = "Digital artist and night owl.";
  persona.timezone = "Europe/Paris";
  persona.languages = {"fr", "en-GB"};
  persona.voice =
      VoiceGuide{"playful, warm", {"darling", "mon chou"}, {"cringe"}, EmojiUse::kFrequent, {"politics"}};
  persona.boundaries = {{Platform::kX, {Rating::kSfw, Rating::kSuggestive}, {}},
                        {Platform::kFanvue, {Rating::kSfw, Rating::kExplicit}, {"lingerie", "art"}}};
  persona.disclosures = {{Platform::kX, "#AI Made with AI"}, {Platform::kInstagram, "AI-generated"}};
  persona.visual = VisualIdentity{"luna_v3", {"lunavale", "silver hair"}, {"med_1", "med_2"}};
  persona.llm = LlmSettings{"ollama", "mistral-nemo", 0.85, 16384};
  persona.review_mode = ReviewMode::kReviewExplicitOnly;
  persona.kind = PersonaKind::kFictional;
  persona.attestation = FictionalAttestation{"usr_1", 1'700'000'000'000, "I attest"};
  persona.status = PersonaStatus::kActive;
  persona.created_at_unix_ms = 1'700'000'000'000;
  persona.updated_at_unix_ms = 1'700'000'100'000;
  persona.revision = 7;

  auto& character = persona.character;
  character.description = "{{char}} is a digital artist living in Paris.\nShe paints at night.";
  character.personality = "curious, teasing, kind";
  character.scenario = "{{user}} meets {{char}} at a gallery opening.";
  character.first_message = "*looks up from her sketchbook* Oh, hi there!";
  character.example_messages = "<START>\n{{user}}: What are you drawing?\n{{char}}: You, maybe.";
  character.system_prompt = "Stay in character as {{char}}.";
  character.post_history_instructions = "Keep replies under 120 words.";
  character.creator_notes = R"(Works best with Mistral models. "Quotes" and \ backslashes.)";
  character.creator = "studio_aurora";
  character.character_version = "1.4";
  character.nickname = "Lu";
  character.alternate_greetings = {"Bonsoir!", "*waves* You came back."};
  character.group_only_greetings = {"Hello, everyone!"};
  character.tags = {"artist", "paris", "female"};

  Lorebook book;
  book.name = "Luna's world";
  book.description = "Places and people";
  book.scan_depth = 4;
  book.token_budget = 512;
  book.recursive_scanning = true;
  LorebookEntry gallery;
  gallery.keys = {"gallery", "Galerie Nocturne"};
  gallery.secondary_keys = {"opening"};
  gallery.content = "Galerie Nocturne is a small gallery in the Marais.";
  gallery.name = "gallery";
  gallery.comment = "location";
  gallery.enabled = true;
  gallery.case_sensitive = true;
  gallery.selective = true;
  gallery.constant = false;
  gallery.insertion_order = 100;
  gallery.priority = 10;
  gallery.id = 1;
  gallery.position = "before_char";
  gallery.extensions_json =
      canonical(R"({"extensions":{"depth":4,"probability":100},"fields":{"use_regex":true}})");
  LorebookEntry sister;
  sister.keys = {"Mira"};
  sister.content = "Mira is Luna's older sister, a violinist.";
  sister.enabled = false;
  sister.constant = true;
  sister.insertion_order = -5;
  sister.id = 9'007'199'254'740'993;
  sister.position = "after_char";
  book.entries = {gallery, sister};
  book.extensions_json = canonical(R"({"extensions":{"world":"luna"}})");
  character.lorebook = book;
  character.extensions_json = canonical(
      R"({"card":{"creatorcomment":"old note"},"data":{"assets":[{"type":"icon","uri":"ccdefault:","name":"main","ext":"png"}],"creation_date":1700000000,"creator_notes_multilingual":{"fr":"Notes"},"custom_key":{"a":[1,2.5,null]}},"extensions":{"fav":true,"talkativeness":"0.5"}})");
  return persona;
}

Persona without_installation_fields(Persona persona) {
  persona.id.clear();
  persona.tenant_id.clear();
  persona.status = PersonaStatus::kDraft;
  persona.attestation.reset();
  persona.consent.reset();
  persona.created_at_unix_ms = 0;
  persona.updated_at_unix_ms = 0;
  persona.revision = 1;
  persona.visual.reference_media_ids.clear();
  return persona;
}

std::string v2_card(const nlohmann::json& data_patch) {
  nlohmann::json card = {{"spec", "chara_card_v2"}, {"spec_version", "2.0"}, {"data", {{"name", "Aria"}}}};
  card["data"].merge_patch(data_patch);
  return card.dump();
}

}  // namespace personae::cards::testing
