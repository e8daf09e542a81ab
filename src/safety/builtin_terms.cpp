#include "safety/builtin_terms.hpp"

#include <array>

#include "safety/phrase_matcher.hpp"

namespace personae::safety {
namespace {

constexpr auto kNon = BuiltinList::kNonConsent;
constexpr auto kIll = BuiltinList::kIllegal;
constexpr auto kBlk = Verdict::kBlock;
constexpr auto kRev = Verdict::kNeedsReview;

constexpr std::string_view kRape = "sexual violence or non-consent";
constexpr std::string_view kSpy = "images taken or shared without consent";
constexpr std::string_view kLeak = "suggests images shared without consent";
constexpr std::string_view kIncapacity = "an incapacitated person in a sexual context";
constexpr std::string_view kDrug = "drugging, which removes consent";
constexpr std::string_view kForce = "force in a sexual context";
constexpr std::string_view kBeast = "sex with animals";
constexpr std::string_view kIncest = "incest";
constexpr std::string_view kStep = "step-family role play (incest themes, banned on several platforms)";
constexpr std::string_view kDead = "sex with the dead or killing";
constexpr std::string_view kVoyeur = "voyeurism (often non-consensual)";

// Matching is whole-word on folded text: accents do not matter ("violée" = "violee"), and a
// multi-word phrase also matches with hyphens or underscores between its words and written
// together ("revenge porn", "revenge-porn", "#RevengePorn"). So each phrase is listed once.
//
// Ambiguous words, and why they are where they are:
//   - "forced", "forcée(s)": also "forced smile", "forced perspective", and a consensual kink
//     ("forced orgasm"); review, and only in sexual context. The masculine "forcé" folds to
//     "force", an everyday word in both languages: not listed.
//   - "asleep", "unconscious", "passed out", "knocked out", "blacked out", "endormie",
//     "inconsciente", "évanouie": innocent on their own ("fell asleep on the couch"); review, only
//     in sexual context. "sleep", "sleeping", "tired" and "drunk" are too common ("drunk on
//     love") and are not listed.
//   - "drugged", "drogué(e)", "roofied": review everywhere ("drogue" is also the French noun
//     "drug"); "roofie(s)" name the drug itself and block.
//   - "leak", "leaked", "leaks": also water leaks, but in this domain "leaked pics" claims
//     non-consensual sharing (and is a deceptive hook); review.
//   - "voyeur": a genre that is often staged; review. "hidden camera", "spycam", "upskirt",
//     "creepshot" block: they describe the act itself.
//   - "cnc" (consensual non-consent): machine tools elsewhere, but platforms forbid depicting
//     non-consent even as role play, and in adult captions it means only that; block.
//   - "viol", "violé(e)", "violeur": French for rape; the English "viol" (an instrument) is rare.
//     "violer" alone (also "to break a rule") is review.
//   - step-family words ("stepsister", "step dad", "demi-sœur", "belle-mère"): innocent in a
//     family photo, but in adult content they are incest role play; review. "daddy" is a common
//     adult term that says nothing about family and is not listed.
//   - "snuff" alone is also tobacco: only "snuff film/video" are listed.
constexpr std::array kTerms = {
    // Rape and sexual violence (English, then French).
    BuiltinTerm{"rape", kNon, kBlk, false, kRape},
    BuiltinTerm{"raped", kNon, kBlk, false, kRape},
    BuiltinTerm{"rapes", kNon, kBlk, false, kRape},
    BuiltinTerm{"raping", kNon, kBlk, false, kRape},
    BuiltinTerm{"rapist", kNon, kBlk, false, kRape},
    BuiltinTerm{"rapists", kNon, kBlk, false, kRape},
    BuiltinTerm{"molest", kNon, kBlk, false, kRape},
    BuiltinTerm{"molested", kNon, kBlk, false, kRape},
    BuiltinTerm{"molesting", kNon, kBlk, false, kRape},
    BuiltinTerm{"molestation", kNon, kBlk, false, kRape},
    BuiltinTerm{"sexual assault", kNon, kBlk, false, kRape},
    BuiltinTerm{"sexually assaulted", kNon, kBlk, false, kRape},
    BuiltinTerm{"non-consensual", kNon, kBlk, false, kRape},
    BuiltinTerm{"non-consent", kNon, kBlk, false, kRape},
    BuiltinTerm{"non-con", kNon, kBlk, false, kRape},
    BuiltinTerm{"cnc", kNon, kBlk, false, kRape},
    BuiltinTerm{"without consent", kNon, kBlk, false, kRape},
    BuiltinTerm{"without her consent", kNon, kBlk, false, kRape},
    BuiltinTerm{"without his consent", kNon, kBlk, false, kRape},
    BuiltinTerm{"without their consent", kNon, kBlk, false, kRape},
    BuiltinTerm{"without my consent", kNon, kBlk, false, kRape},
    BuiltinTerm{"without your consent", kNon, kBlk, false, kRape},
    BuiltinTerm{"against her will", kNon, kBlk, false, kRape},
    BuiltinTerm{"against his will", kNon, kBlk, false, kRape},
    BuiltinTerm{"against their will", kNon, kBlk, false, kRape},
    BuiltinTerm{"against my will", kNon, kBlk, false, kRape},
    BuiltinTerm{"against your will", kNon, kBlk, false, kRape},
    BuiltinTerm{"somnophilia", kNon, kBlk, false, kRape},
    BuiltinTerm{"viol", kNon, kBlk, false, kRape},
    BuiltinTerm{"viols", kNon, kBlk, false, kRape},
    BuiltinTerm{"violé", kNon, kBlk, false, kRape},
    BuiltinTerm{"violée", kNon, kBlk, false, kRape},
    BuiltinTerm{"violés", kNon, kBlk, false, kRape},
    BuiltinTerm{"violées", kNon, kBlk, false, kRape},
    BuiltinTerm{"violeur", kNon, kBlk, false, kRape},
    BuiltinTerm{"violeurs", kNon, kBlk, false, kRape},
    BuiltinTerm{"violer", kNon, kRev, false, kRape},
    BuiltinTerm{"agression sexuelle", kNon, kBlk, false, kRape},
    BuiltinTerm{"agressée sexuellement", kNon, kBlk, false, kRape},
    BuiltinTerm{"sans consentement", kNon, kBlk, false, kRape},
    BuiltinTerm{"sans son consentement", kNon, kBlk, false, kRape},
    BuiltinTerm{"sans mon consentement", kNon, kBlk, false, kRape},
    BuiltinTerm{"sans leur consentement", kNon, kBlk, false, kRape},
    BuiltinTerm{"sans ton consentement", kNon, kBlk, false, kRape},
    BuiltinTerm{"sans votre consentement", kNon, kBlk, false, kRape},
    BuiltinTerm{"non consenti", kNon, kBlk, false, kRape},
    BuiltinTerm{"non consentie", kNon, kBlk, false, kRape},
    BuiltinTerm{"non consentis", kNon, kBlk, false, kRape},
    BuiltinTerm{"non consenties", kNon, kBlk, false, kRape},
    BuiltinTerm{"non consensuel", kNon, kBlk, false, kRape},
    BuiltinTerm{"non consensuelle", kNon, kBlk, false, kRape},
    BuiltinTerm{"contre sa volonté", kNon, kBlk, false, kRape},
    BuiltinTerm{"contre ma volonté", kNon, kBlk, false, kRape},
    BuiltinTerm{"contre son gré", kNon, kBlk, false, kRape},
    BuiltinTerm{"contre mon gré", kNon, kBlk, false, kRape},
    BuiltinTerm{"somnophilie", kNon, kBlk, false, kRape},
    // Images taken or shared without consent.
    BuiltinTerm{"hidden camera", kNon, kBlk, false, kSpy},
    BuiltinTerm{"hidden cam", kNon, kBlk, false, kSpy},
    BuiltinTerm{"spy cam", kNon, kBlk, false, kSpy},
    BuiltinTerm{"spy camera", kNon, kBlk, false, kSpy},
    BuiltinTerm{"upskirt", kNon, kBlk, false, kSpy},
    BuiltinTerm{"downblouse", kNon, kBlk, false, kSpy},
    BuiltinTerm{"creepshot", kNon, kBlk, false, kSpy},
    BuiltinTerm{"creepshots", kNon, kBlk, false, kSpy},
    BuiltinTerm{"revenge porn", kNon, kBlk, false, kSpy},
    BuiltinTerm{"stolen nudes", kNon, kBlk, false, kSpy},
    BuiltinTerm{"caméra cachée", kNon, kBlk, false, kSpy},
    BuiltinTerm{"caméra espion", kNon, kBlk, false, kSpy},
    BuiltinTerm{"vengeance pornographique", kNon, kBlk, false, kSpy},
    BuiltinTerm{"pornodivulgation", kNon, kBlk, false, kSpy},
    BuiltinTerm{"leak", kNon, kRev, false, kLeak},
    BuiltinTerm{"leaks", kNon, kRev, false, kLeak},
    BuiltinTerm{"leaked", kNon, kRev, false, kLeak},
    BuiltinTerm{"voyeur", kNon, kRev, false, kVoyeur},
    BuiltinTerm{"voyeurism", kNon, kRev, false, kVoyeur},
    // Drugs and incapacity.
    BuiltinTerm{"roofie", kNon, kBlk, false, kDrug},
    BuiltinTerm{"roofies", kNon, kBlk, false, kDrug},
    BuiltinTerm{"roofied", kNon, kRev, false, kDrug},
    BuiltinTerm{"drugged", kNon, kRev, false, kDrug},
    BuiltinTerm{"drogué", kNon, kRev, false, kDrug},
    BuiltinTerm{"droguée", kNon, kRev, false, kDrug},
    BuiltinTerm{"asleep", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"unconscious", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"passed out", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"knocked out", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"blacked out", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"endormie", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"endormi", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"inconsciente", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"inconscient", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"évanouie", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"évanoui", kNon, kRev, true, kIncapacity},
    BuiltinTerm{"forced", kNon, kRev, true, kForce},
    BuiltinTerm{"forcée", kNon, kRev, true, kForce},
    BuiltinTerm{"forcées", kNon, kRev, true, kForce},
    // Other content that is illegal or banned everywhere.
    BuiltinTerm{"bestiality", kIll, kBlk, false, kBeast},
    BuiltinTerm{"zoophilia", kIll, kBlk, false, kBeast},
    BuiltinTerm{"zoophile", kIll, kBlk, false, kBeast},
    BuiltinTerm{"zoophiles", kIll, kBlk, false, kBeast},
    BuiltinTerm{"zoophilie", kIll, kBlk, false, kBeast},
    BuiltinTerm{"bestialité", kIll, kBlk, false, kBeast},
    BuiltinTerm{"animal sex", kIll, kBlk, false, kBeast},
    BuiltinTerm{"incest", kIll, kBlk, false, kIncest},
    BuiltinTerm{"incestuous", kIll, kBlk, false, kIncest},
    BuiltinTerm{"inceste", kIll, kBlk, false, kIncest},
    BuiltinTerm{"incestueux", kIll, kBlk, false, kIncest},
    BuiltinTerm{"incestueuse", kIll, kBlk, false, kIncest},
    BuiltinTerm{"necrophilia", kIll, kBlk, false, kDead},
    BuiltinTerm{"necrophile", kIll, kBlk, false, kDead},
    BuiltinTerm{"nécrophilie", kIll, kBlk, false, kDead},
    BuiltinTerm{"snuff film", kIll, kBlk, false, kDead},
    BuiltinTerm{"snuff video", kIll, kBlk, false, kDead},
    BuiltinTerm{"step sister", kIll, kRev, false, kStep},
    BuiltinTerm{"step sis", kIll, kRev, false, kStep},
    BuiltinTerm{"step brother", kIll, kRev, false, kStep},
    BuiltinTerm{"step bro", kIll, kRev, false, kStep},
    BuiltinTerm{"step daughter", kIll, kRev, false, kStep},
    BuiltinTerm{"step son", kIll, kRev, false, kStep},
    BuiltinTerm{"step mom", kIll, kRev, false, kStep},
    BuiltinTerm{"step mother", kIll, kRev, false, kStep},
    BuiltinTerm{"step dad", kIll, kRev, false, kStep},
    BuiltinTerm{"step father", kIll, kRev, false, kStep},
    BuiltinTerm{"demi-sœur", kIll, kRev, false, kStep},
    BuiltinTerm{"demi-frère", kIll, kRev, false, kStep},
    BuiltinTerm{"belle-mère", kIll, kRev, false, kStep},
    BuiltinTerm{"beau-père", kIll, kRev, false, kStep},
    BuiltinTerm{"belle-fille", kIll, kRev, false, kStep},
};

// Words that make a text sexual, for the context-only entries above.
constexpr auto kSexualWords = std::to_array<std::string_view>({
    "sex",      "sexy",    "sexual",    "sexually", "fuck",    "fucked",  "fucking",  "nude",
    "nudes",    "naked",   "horny",     "orgasm",   "cum",     "porn",    "nsfw",     "explicit",
    "lingerie", "undress", "undressed", "topless",  "sexe",    "sexuel",  "sexuelle", "nue",
    "nues",     "baise",   "jouir",     "porno",    "excitée", "coquine", "seins",    "bondage",
});

const PhraseMatcher& term_matcher() {
  static const PhraseMatcher matcher = [] {
    std::vector<std::string_view> phrases;
    phrases.reserve(kTerms.size());
    for (const auto& term : kTerms) phrases.push_back(term.phrase);
    return PhraseMatcher(phrases);
  }();
  return matcher;
}

const PhraseMatcher& sexual_matcher() {
  static const PhraseMatcher matcher{std::span<const std::string_view>(kSexualWords)};
  return matcher;
}

}  // namespace

std::string_view rule_id(BuiltinList list) {
  return list == BuiltinList::kNonConsent ? "consent.builtin" : "illegal.builtin";
}

std::span<const BuiltinTerm> builtin_terms() {
  return kTerms;
}

std::vector<BuiltinHit> find_builtin_terms(const FoldedText& text, bool sexual_context,
                                           std::size_t max_hits) {
  const auto& matcher = term_matcher();
  std::vector<BuiltinHit> hits;
  // Context-only matches are skipped, so ask for more than needed.
  for (const auto& match : matcher.find_all(text, max_hits * 4)) {
    const BuiltinTerm& term = kTerms.at(matcher.input_index(match.phrase));
    if (term.sexual_context_only && !sexual_context) continue;
    hits.push_back({&term, match.begin, match.end});
    if (hits.size() == max_hits) break;
  }
  return hits;
}

bool has_sexual_context(const FoldedText& text) {
  return sexual_matcher().contains_any(text);
}

}  // namespace personae::safety
