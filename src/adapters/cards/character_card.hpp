#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/personas/persona.hpp"

/// SillyTavern-compatible character cards: import and export of V2 (chara_card_v2) and V3
/// (chara_card_v3) cards as JSON and as PNG (the card in the `chara` / `ccv3` tEXt chunks), and
/// import of V1 cards (the six fields flat at the top level). Pure functions over bytes,
/// thread-safe; no I/O.
///
/// Mapping. `data.name` is the persona's display_name; the other character fields map to
/// CharacterProfile (first_mes = first_message, mes_example = example_messages, character_book =
/// lorebook, ...). Persona fields cards have no place for (kind, review_mode, handles, bio,
/// timezone, languages, voice, boundaries, disclosures, visual lora_name and trigger_words, llm)
/// travel in `data.extensions.personae` (format in personae_extension.hpp). Never exported nor
/// imported: id, tenant_id, status, attestation, consent, revision, timestamps and
/// visual.reference_media_ids. An import is always a draft persona without attestation or consent.
///
/// Unknown content is kept in CharacterProfile::extensions_json, a JSON object of up to three
/// objects, each present only when non-empty, and written back where it came from on export:
///   "card":       top-level keys other than spec, spec_version and data (for V1 cards: other
///                 than the six V1 fields), re-emitted at the top level;
///   "data":       unknown keys of `data`, and the V3 fields we do not model (assets, source,
///                 creator_notes_multilingual, creation_date, modification_date), re-emitted in
///                 `data`; in a V2 export the V3 ones go to data.extensions.personae.card_v3;
///   "extensions": keys of data.extensions other than `personae`, re-emitted in data.extensions.
/// The lorebook and each entry keep theirs in their own extensions_json, as {"extensions": their
/// `extensions` object, "fields": their unknown keys} (again each only when non-empty); an entry's
/// V3 `use_regex` is kept in "fields" when true (false is the default and is not stored).
/// On export, modelled fields win over a stored key of the same name. Top-level copies of the V1
/// fields in a V2/V3 card (SillyTavern writes them for V1 readers) are derived data: they are
/// ignored on import and not written.
///
/// V3 content in a V2 export: V2 has no place for nickname, group_only_greetings and the V3 fields
/// kept in "data", so they go to data.extensions.personae.card_v3 (only those set), from which an
/// import of any version lifts them back (a value also present at data level loses, with a
/// warning). V3 -> V2 -> V3 therefore loses nothing.
///
/// Validation is strict and stops at the first problem; Error::message (kInvalidArgument) names
/// the JSON path ("data.character_book.entries[3].keys: expected an array of strings") and never
/// quotes more than a few characters of the input. Required: spec and spec_version (V2/V3), data,
/// data.name, and in a lorebook its entries and each entry's keys and content; other fields may be
/// absent or null (read as empty). A key repeated in one object is refused (parsers disagree on
/// which copy wins, so neither is guessed). Numbers must be finite; integers must fit their field.
/// Once read, the persona must pass validate_persona (persona_rules.hpp), its problem reported at
/// the card's path ("data.alternate_greetings: must have at most 100 items"): a card that imports
/// is a persona that can be saved.
namespace personae::cards {

/// The card format an import read.
enum class CardVersion { kV1, kV2, kV3 };
/// "v1", "v2", "v3".
std::string_view to_string(CardVersion version);

/// The card formats an export writes (V1 is read only).
enum class ExportVersion { kV2, kV3 };
/// "v2", "v3".
std::string_view to_string(ExportVersion version);
/// "v2" or "v3"; nullopt otherwise.
std::optional<ExportVersion> parse_export_version(std::string_view text);

/// Limits on imported cards.
inline constexpr std::size_t kMaxCardJsonBytes = std::size_t{4} * 1024 * 1024;
inline constexpr std::size_t kMaxCardPngBytes = std::size_t{20} * 1024 * 1024;
inline constexpr int kMaxCardJsonDepth = 64;
inline constexpr std::size_t kMaxNameChars = 100;      ///< code points
inline constexpr std::size_t kMaxTextChars = 200'000;  ///< code points, any text field
inline constexpr std::size_t kMaxTagChars = 100;       ///< code points, one tag
inline constexpr std::size_t kMaxTags = 200;
inline constexpr std::size_t kMaxCardListItems = 1'000;  ///< greetings, lorebook keys, personae lists
inline constexpr std::size_t kMaxLorebookEntries = 5'000;

struct ImportedCard {
  Persona persona;  ///< a draft: no id, tenant, attestation or consent
  CardVersion version = CardVersion::kV2;
  /// Things accepted but not taken as given, for the user ("data.extensions.personae.visual.
  /// reference_media_ids: ignored, ...").
  std::vector<std::string> warnings;
};

/// Reads a card from JSON text (V1, V2 or V3). kInvalidArgument, with a message naming the path,
/// for anything malformed: not UTF-8, over kMaxCardJsonBytes, nested deeper than
/// kMaxCardJsonDepth, invalid JSON, a repeated key, a wrong type, a missing name, a limit exceeded.
Result<ImportedCard> parse_card_json(std::string_view json);

/// Reads a card from a PNG file: the `ccv3` tEXt chunk when present (it must hold a V3 card),
/// otherwise `chara` (any version); each is base64 of the card's JSON. kInvalidArgument when the
/// file is over kMaxCardPngBytes, not a well-formed PNG (signature, chunk lengths, CRCs, IHDR
/// first, IEND last), holds no card chunk, or a card chunk repeats or is malformed (the message
/// starts with the chunk: "ccv3 chunk: data.name: required").
Result<ImportedCard> parse_card_png(std::string_view png_bytes);

/// Writes the persona as card JSON (compact, keys sorted). A malformed extensions_json (not a JSON
/// object) is treated as empty; strings that are not UTF-8 have the bad bytes replaced by U+FFFD.
/// The persona's own limits allow a card over kMaxCardJsonBytes, which parse_card_json (and many
/// other readers) refuse: callers that want a re-importable file check the size.
std::string export_card_json(const Persona& persona, ExportVersion version);

/// Writes the persona into `png_image` (any valid PNG, checked as parse_card_png does): existing
/// chara/ccv3 text chunks (tEXt, zTXt or iTXt) are removed and, before IEND, `chara` (the V2
/// card) is written and, for V3, `ccv3` (the V3 card) after it. kInvalidArgument when the image is
/// not a valid PNG, a card's JSON would exceed kMaxCardJsonBytes or the result kMaxCardPngBytes
/// (what parse_card_png would refuse is not written).
Result<std::string> export_card_png(const Persona& persona, ExportVersion version,
                                    std::string_view png_image);

}  // namespace personae::cards
