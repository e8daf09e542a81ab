import { useState, type Dispatch, type SetStateAction } from "react";
import { Link } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useCategories, useImages } from "../../api/hooks";
import type { Boundary, Character, EmojiUse, LorebookEntry, Persona, Platform, Rating, ReviewMode } from "../../api/types";
import { EMOJI_USES, PLATFORMS, RATINGS, REVIEW_MODES } from "../../api/types";
import { useAuth } from "../../auth";
import { Dialog, ConfirmDialog } from "../../components/Dialog";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Checkbox, CheckboxGroup, ListInput, Select, TextArea, TextInput } from "../../components/form";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Callout, DescriptionList, EmptyState, IconButton } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { fieldErrorsUnder } from "../../lib/errors";
import type { PersonaDraft } from "./draft";
import { useCategoryLabel } from "../../lib/categories";
import { browserTimeZone, timeZones } from "./PersonaCreatePage";

export interface SectionProps {
  draft: PersonaDraft;
  setDraft: Dispatch<SetStateAction<PersonaDraft>>;
  persona: Persona;
  error: unknown;
  readOnly: boolean;
}

function useErrors(error: unknown) {
  const map = fieldErrorsUnder(error);
  /** The error of a field, or of one of its items ("languages" finds "languages[1]"). */
  return (field: string) => map.get(field) ?? [...map].find(([k]) => k.startsWith(`${field}[`) || k.startsWith(`${field}.`))?.[1];
}

export function ProfileSection({ draft, setDraft, error }: SectionProps) {
  const { t } = useI18n();
  const fe = useErrors(error);
  const zones = timeZones();
  if (!zones.includes(draft.timezone)) zones.unshift(draft.timezone);
  return (
    <div className="section-stack">
      <section className="form-section" aria-labelledby="profile-identity">
        <h3 id="profile-identity" className="form-section-title">{t("editor.identity")}</h3>
        <div className="form-grid">
          <TextInput label={t("persona.displayName")} value={draft.display_name} onChange={(e) => setDraft((d) => ({ ...d, display_name: e.target.value }))} required maxLength={100} error={fe("display_name")} />
          <Select label={t("persona.timezone")} hint={t("persona.timezoneHint", { zone: browserTimeZone() })} value={draft.timezone} onChange={(e) => setDraft((d) => ({ ...d, timezone: e.target.value }))} options={zones.map((z) => ({ value: z, label: z.replace(/_/g, " ") }))} error={fe("timezone")} />
        </div>
        <TextArea label={t("persona.bio")} hint={t("persona.bioHint")} value={draft.bio} onChange={(e) => setDraft((d) => ({ ...d, bio: e.target.value }))} maxLength={2000} rows={4} error={fe("bio")} />
        <ListInput label={t("persona.languages")} hint={t("persona.languagesHint")} value={draft.languages} onChange={(languages) => setDraft((d) => ({ ...d, languages }))} error={fe("languages")} />
      </section>
      <section className="form-section" aria-labelledby="profile-handles">
        <h3 id="profile-handles" className="form-section-title">{t("persona.handles")}</h3>
        <p className="form-section-help">{t("persona.handlesHelp")}</p>
        <div className="form-grid">
          {PLATFORMS.map((platform) => (
            <TextInput
              key={platform}
              label={t(`platform.${platform}`)}
              value={draft.handles[platform] ?? ""}
              placeholder="handle"
              autoComplete="off"
              onChange={(e) =>
                setDraft((d) => {
                  const handles = { ...d.handles };
                  const value = e.target.value.replace(/^@/, "");
                  if (value) handles[platform] = value;
                  else delete handles[platform];
                  return { ...d, handles };
                })
              }
              error={fe(`handles.${platform}`)}
            />
          ))}
        </div>
      </section>
    </div>
  );
}

export function VoiceSection({ draft, setDraft, error }: SectionProps) {
  const { t } = useI18n();
  const fe = useErrors(error);
  const voice = draft.voice;
  const set = (patch: Partial<PersonaDraft["voice"]>) => setDraft((d) => ({ ...d, voice: { ...d.voice, ...patch } }));
  return (
    <div className="section-stack">
      <section className="form-section" aria-labelledby="voice-tone">
        <h3 id="voice-tone" className="form-section-title">{t("voice.title")}</h3>
        <p className="form-section-help">{t("voice.help")}</p>
        <TextArea label={t("voice.tone")} hint={t("voice.toneHint")} value={voice.tone ?? ""} onChange={(e) => set({ tone: e.target.value })} rows={3} error={fe("voice.tone")} />
        <Select label={t("voice.emoji")} value={voice.emoji_use ?? "light"} onChange={(e) => set({ emoji_use: e.target.value as EmojiUse })} options={EMOJI_USES.map((u) => ({ value: u, label: t(`voice.emoji.${u}`) }))} />
      </section>
      <section className="form-section" aria-labelledby="voice-words">
        <h3 id="voice-words" className="form-section-title">{t("voice.words")}</h3>
        <div className="form-grid">
          <ListInput label={t("voice.vocabulary")} hint={t("voice.vocabularyHint")} value={voice.vocabulary ?? []} onChange={(vocabulary) => set({ vocabulary })} error={fe("voice.vocabulary")} />
          <ListInput label={t("voice.banned")} hint={t("voice.bannedHint")} value={voice.banned_words ?? []} onChange={(banned_words) => set({ banned_words })} error={fe("voice.banned_words")} />
          <ListInput label={t("voice.avoid")} hint={t("voice.avoidHint")} value={voice.topics_to_avoid ?? []} onChange={(topics_to_avoid) => set({ topics_to_avoid })} error={fe("voice.topics_to_avoid")} />
          <ListInput label={t("voice.hashtags")} hint={t("voice.hashtagsHint")} prefix="#" value={voice.hashtags ?? []} onChange={(hashtags) => set({ hashtags })} error={fe("voice.hashtags")} />
        </div>
      </section>
    </div>
  );
}

export function PublishingSection({ draft, setDraft, error, readOnly }: SectionProps) {
  const { t } = useI18n();
  const fe = useErrors(error);
  const categories = useCategories();
  const categoryLabel = useCategoryLabel();
  const boundaryOf = (platform: Platform) => draft.boundaries.find((b) => b.platform === platform);
  const indexOf = (platform: Platform) => draft.boundaries.findIndex((b) => b.platform === platform);
  const setBoundary = (platform: Platform, next: Boundary | null) =>
    setDraft((d) => {
      const others = d.boundaries.filter((b) => b.platform !== platform);
      const boundaries = next ? [...others, next] : others;
      boundaries.sort((a, b) => PLATFORMS.indexOf(a.platform) - PLATFORMS.indexOf(b.platform));
      return { ...d, boundaries };
    });
  return (
    <div className="section-stack">
      <p className="form-section-help">{t("publishing.help")}</p>
      <div className="platform-list">
        {PLATFORMS.map((platform) => {
          const boundary = boundaryOf(platform);
          const index = indexOf(platform);
          const chosen = boundary?.allowed_categories ?? [];
          return (
            <section key={platform} className={`platform-card ${boundary ? "is-on" : ""}`} aria-labelledby={`platform-${platform}`}>
              <div className="platform-head">
                <h3 id={`platform-${platform}`}>{t(`platform.${platform}`)}</h3>
                <Checkbox
                  label={t("publishing.allow", { platform: t(`platform.${platform}`) })}
                  checked={!!boundary}
                  disabled={readOnly}
                  onChange={(on) => setBoundary(platform, on ? { platform, allowed_ratings: ["sfw"], allowed_categories: [] } : null)}
                />
              </div>
              {boundary ? (
                <div className="platform-body">
                  <CheckboxGroup<Rating>
                    legend={t("publishing.ratings")}
                    inline
                    options={RATINGS.map((r) => ({ value: r, label: t(`rating.${r}`) }))}
                    value={boundary.allowed_ratings ?? []}
                    disabled={readOnly}
                    onChange={(allowed_ratings) => setBoundary(platform, { ...boundary, allowed_ratings })}
                    error={fe(`boundaries[${index}].allowed_ratings`)}
                  />
                  <details className="details">
                    <summary>
                      {t("publishing.categories")}:{" "}
                      <strong>{chosen.length === 0 ? t("publishing.anyCategory") : chosen.map((c) => categoryLabel(categories.data?.find((x) => x.name === c), c)).join(", ")}</strong>
                    </summary>
                    <CheckboxGroup<string>
                      legend={t("publishing.categoriesLegend")}
                      options={(categories.data ?? []).map((c) => ({ value: c.name, label: categoryLabel(c) }))}
                      value={chosen}
                      disabled={readOnly}
                      onChange={(allowed_categories) => setBoundary(platform, { ...boundary, allowed_categories })}
                      error={fe(`boundaries[${index}].allowed_categories`)}
                    />
                  </details>
                </div>
              ) : (
                <p className="muted platform-off">{t("publishing.nothing")}</p>
              )}
              <TextInput
                label={t("publishing.disclosure")}
                hint={t("publishing.disclosureHint")}
                value={draft.disclosures[platform] ?? ""}
                maxLength={300}
                onChange={(e) => setDraft((d) => ({ ...d, disclosures: { ...d.disclosures, [platform]: e.target.value } }))}
                error={fe(`disclosures.${platform}`)}
              />
            </section>
          );
        })}
      </div>
    </div>
  );
}

export function ReviewSection({ draft, setDraft, persona, error, onRecordConsent }: SectionProps & { onRecordConsent: (() => void) | undefined }) {
  const { t, dateTime, date } = useI18n();
  const fe = useErrors(error);
  const { can } = useAuth();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const withdraw = useMutation({
    mutationFn: () => api.delete<Persona>(`/api/v1/personas/${encodeURIComponent(persona.id)}/consent`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.persona(persona.id) });
      void queryClient.invalidateQueries({ queryKey: keys.personas });
      toast.success(t("consent.withdrawn"));
      setConfirmWithdraw(false);
    },
  });
  return (
    <div className="section-stack">
      <fieldset className="form-section">
        <legend className="form-section-title">{t("review.title")}</legend>
        <p className="form-section-help">{t("review.help")}</p>
        <div className="radio-cards">
          {REVIEW_MODES.map((mode: ReviewMode) => (
            <label key={mode} className={`radio-card ${draft.review_mode === mode ? "is-checked" : ""}`}>
              <input type="radio" name="review_mode" value={mode} checked={draft.review_mode === mode} onChange={() => setDraft((d) => ({ ...d, review_mode: mode }))} />
              <span className="radio-card-title">{t(`review.${mode}`)}</span>
              <span className="radio-card-text">{t(`review.${mode}.help`)}</span>
            </label>
          ))}
        </div>
        {fe("review_mode") && <p className="field-error">{fe("review_mode")}</p>}
      </fieldset>
      <section className="form-section" aria-labelledby="kind-title">
        <h3 id="kind-title" className="form-section-title">{t("persona.kindLabel")}</h3>
        <Select
          label={t("persona.kindLabel")}
          hint={draft.kind === "fictional" ? t("persona.kindFictionalHint") : t("persona.kindRealHint")}
          value={draft.kind}
          onChange={(e) => setDraft((d) => ({ ...d, kind: e.target.value as Persona["kind"] }))}
          options={[
            { value: "fictional", label: t("persona.kind.fictional") },
            { value: "real_adult_with_consent", label: t("persona.kind.real_adult_with_consent") },
          ]}
          error={fe("kind")}
        />
        {persona.attestation && (
          <Callout tone="success" title={t("attestation.title")}>
            <p>{persona.attestation.statement}</p>
            <p className="callout-meta">{t("attestation.when", { when: dateTime(persona.attestation.attested_at_unix_ms) })}</p>
          </Callout>
        )}
      </section>
      {(draft.kind === "real_adult_with_consent" || persona.consent) && (
        <section className="form-section" aria-labelledby="consent-title">
          <h3 id="consent-title" className="form-section-title">{t("consent.section")}</h3>
          {persona.consent ? (
            <>
              <DescriptionList
                items={[
                  [t("consent.subject"), persona.consent.subject_name],
                  [t("consent.signedAt"), date(persona.consent.signed_at_unix_ms)],
                  [t("consent.expiresAt"), persona.consent.expires_at_unix_ms ? date(persona.consent.expires_at_unix_ms) : t("consent.noExpiry")],
                  [t("consent.scope"), persona.consent.scope],
                  [
                    t("consent.document"),
                    <Link key="doc" to={`/media/${encodeURIComponent(persona.consent.document_media_id)}`}>
                      {t("consent.openDocument")}
                    </Link>,
                  ],
                  [t("consent.recordedAt"), dateTime(persona.consent.recorded_at_unix_ms)],
                ]}
              />
              {can("personas.activate") && (
                <div className="button-row">
                  {onRecordConsent && (
                    <Button size="sm" onClick={onRecordConsent}>
                      {t("consent.replace")}
                    </Button>
                  )}
                  <Button size="sm" variant="danger" onClick={() => setConfirmWithdraw(true)}>
                    {t("consent.withdraw")}
                  </Button>
                </div>
              )}
            </>
          ) : (
            <EmptyState
              icon="file"
              title={t("consent.none")}
              action={
                onRecordConsent ? (
                  <Button variant="primary" onClick={onRecordConsent}>
                    {t("consent.record")}
                  </Button>
                ) : undefined
              }
            >
              {can("personas.activate") ? t("consent.noneHelp") : t("consent.noneHelpOthers")}
            </EmptyState>
          )}
          <ConfirmDialog open={confirmWithdraw} onClose={() => setConfirmWithdraw(false)} onConfirm={() => withdraw.mutate()} busy={withdraw.isPending} title={t("consent.withdrawTitle")} confirmLabel={t("consent.withdraw")}>
            <p>{t("consent.withdrawExplain")}</p>
            {withdraw.error && <ErrorMessage error={withdraw.error} />}
          </ConfirmDialog>
        </section>
      )}
    </div>
  );
}

export function VisualSection({ draft, setDraft, error, readOnly }: SectionProps) {
  const { t } = useI18n();
  const fe = useErrors(error);
  const [picking, setPicking] = useState(false);
  const visual = draft.visual;
  const refs = visual.reference_media_ids ?? [];
  const set = (patch: Partial<PersonaDraft["visual"]>) => setDraft((d) => ({ ...d, visual: { ...d.visual, ...patch } }));
  return (
    <div className="section-stack">
      <section className="form-section" aria-labelledby="visual-model">
        <h3 id="visual-model" className="form-section-title">{t("visual.model")}</h3>
        <p className="form-section-help">{t("visual.help")}</p>
        <div className="form-grid">
          <TextInput label={t("visual.lora")} hint={t("visual.loraHint")} value={visual.lora_name ?? ""} onChange={(e) => set({ lora_name: e.target.value })} error={fe("visual.lora_name")} />
          <ListInput label={t("visual.triggers")} value={visual.trigger_words ?? []} onChange={(trigger_words) => set({ trigger_words })} error={fe("visual.trigger_words")} />
        </div>
      </section>
      <section className="form-section" aria-labelledby="visual-refs">
        <div className="form-section-head">
          <h3 id="visual-refs" className="form-section-title">{t("visual.references", { count: refs.length })}</h3>
          {!readOnly && refs.length < 20 && (
            <Button size="sm" icon="plus" onClick={() => setPicking(true)}>
              {t("visual.addReference")}
            </Button>
          )}
        </div>
        <p className="form-section-help">{t("visual.referencesHelp")}</p>
        {refs.length === 0 ? (
          <p className="muted">{t("visual.noReferences")}</p>
        ) : (
          <ul className="thumb-row">
            {refs.map((id, i) => (
              <li key={id} className="thumb">
                <img src={`/api/v1/media/${encodeURIComponent(id)}/variants/thumbnail`} alt={t("visual.referenceAlt", { n: i + 1 })} loading="lazy" />
                {!readOnly && <IconButton icon="close" label={t("visual.removeReference", { n: i + 1 })} onClick={() => set({ reference_media_ids: refs.filter((x) => x !== id) })} />}
              </li>
            ))}
          </ul>
        )}
        {fe("visual.reference_media_ids") && <p className="field-error">{fe("visual.reference_media_ids")}</p>}
      </section>
      {picking && <ReferencePicker personaId={undefined} selected={refs} onClose={() => setPicking(false)} onPick={(id) => set({ reference_media_ids: [...refs, id] })} />}
    </div>
  );
}

function ReferencePicker({ personaId, selected, onClose, onPick }: { personaId: string | undefined; selected: string[]; onClose: () => void; onPick: (id: string) => void }) {
  const { t } = useI18n();
  const images = useImages(personaId);
  const items = (images.data?.items ?? []).filter((m) => !selected.includes(m.id));
  return (
    <Dialog open onClose={onClose} size="lg" title={t("visual.pickTitle")} description={t("visual.pickHelp")} footer={<Button onClick={onClose}>{t("common.done")}</Button>}>
      {images.isPending ? (
        <p>{t("common.loading")}</p>
      ) : images.isError ? (
        <ErrorMessage error={images.error} />
      ) : items.length === 0 ? (
        <p className="muted">{t("visual.noImages")}</p>
      ) : (
        <ul className="picker-grid">
          {items.map((item) => (
            <li key={item.id}>
              <button
                type="button"
                className="picker-item"
                onClick={() => {
                  onPick(item.id);
                  onClose();
                }}
              >
                <img src={item.variants.find((v) => v.name === "thumbnail")?.url ?? ""} alt="" loading="lazy" />
                <span className="picker-name">{item.original_name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

export function LlmSection({ draft, setDraft, error }: SectionProps) {
  const { t } = useI18n();
  const fe = useErrors(error);
  const llm = draft.llm;
  const set = (patch: Partial<PersonaDraft["llm"]>) => setDraft((d) => ({ ...d, llm: { ...d.llm, ...patch } }));
  const num = (v: string) => (v.trim() === "" ? null : Number(v));
  return (
    <div className="section-stack">
      <section className="form-section" aria-labelledby="llm-title">
        <h3 id="llm-title" className="form-section-title">{t("llm.title")}</h3>
        <p className="form-section-help">{t("llm.help")}</p>
        <div className="form-grid">
          <TextInput label={t("llm.provider")} hint={t("llm.providerHint")} value={llm.provider ?? ""} onChange={(e) => set({ provider: e.target.value })} error={fe("llm.provider")} />
          <TextInput label={t("llm.model")} value={llm.model ?? ""} onChange={(e) => set({ model: e.target.value })} error={fe("llm.model")} />
          <TextInput label={t("llm.temperature")} hint={t("llm.temperatureHint")} type="number" min={0} max={2} step={0.05} value={llm.temperature ?? ""} onChange={(e) => set({ temperature: num(e.target.value) })} error={fe("llm.temperature")} />
          <TextInput label={t("llm.context")} hint={t("llm.contextHint")} type="number" min={512} max={1048576} step={512} value={llm.context_size ?? ""} onChange={(e) => set({ context_size: num(e.target.value) })} error={fe("llm.context_size")} />
        </div>
      </section>
    </div>
  );
}

const CHARACTER_TEXTS: { key: keyof Character; label: Parameters<ReturnType<typeof useI18n>["t"]>[0]; rows: number }[] = [
  { key: "description", label: "character.description", rows: 5 },
  { key: "personality", label: "character.personality", rows: 3 },
  { key: "scenario", label: "character.scenario", rows: 3 },
  { key: "first_message", label: "character.firstMessage", rows: 4 },
  { key: "example_messages", label: "character.examples", rows: 5 },
  { key: "system_prompt", label: "character.systemPrompt", rows: 4 },
  { key: "post_history_instructions", label: "character.postHistory", rows: 3 },
  { key: "creator_notes", label: "character.creatorNotes", rows: 3 },
];

export function CharacterSection({ draft, setDraft, error, readOnly }: SectionProps) {
  const { t } = useI18n();
  const fe = useErrors(error);
  const character = draft.character;
  const set = (patch: Partial<Character>) => setDraft((d) => ({ ...d, character: { ...d.character, ...patch } }));
  const greetings = character.alternate_greetings ?? [];
  return (
    <div className="section-stack">
      <section className="form-section" aria-labelledby="character-card">
        <h3 id="character-card" className="form-section-title">{t("character.title")}</h3>
        <p className="form-section-help">{t("character.help")}</p>
        <div className="form-grid">
          <TextInput label={t("character.nickname")} value={character.nickname ?? ""} onChange={(e) => set({ nickname: e.target.value })} error={fe("character.nickname")} />
          <TextInput label={t("character.creator")} value={character.creator ?? ""} onChange={(e) => set({ creator: e.target.value })} error={fe("character.creator")} />
          <TextInput label={t("character.version")} value={character.character_version ?? ""} onChange={(e) => set({ character_version: e.target.value })} error={fe("character.character_version")} />
          <ListInput label={t("character.tags")} value={character.tags ?? []} onChange={(tags) => set({ tags })} error={fe("character.tags")} />
        </div>
        {CHARACTER_TEXTS.map(({ key, label, rows }) => (
          <TextArea key={key} label={t(label)} rows={rows} value={(character[key] as string | undefined) ?? ""} onChange={(e) => set({ [key]: e.target.value })} error={fe(`character.${key}`)} />
        ))}
      </section>
      <section className="form-section" aria-labelledby="character-greetings">
        <div className="form-section-head">
          <h3 id="character-greetings" className="form-section-title">{t("character.greetings", { count: greetings.length })}</h3>
          {!readOnly && (
            <Button size="sm" icon="plus" onClick={() => set({ alternate_greetings: [...greetings, ""] })}>
              {t("character.addGreeting")}
            </Button>
          )}
        </div>
        {greetings.length === 0 && <p className="muted">{t("character.noGreetings")}</p>}
        {greetings.map((g, i) => (
          <div key={i} className="repeat-row">
            <TextArea label={t("character.greetingN", { n: i + 1 })} rows={3} value={g} onChange={(e) => set({ alternate_greetings: greetings.map((x, j) => (j === i ? e.target.value : x)) })} error={fe(`character.alternate_greetings[${i}]`)} />
            {!readOnly && <IconButton icon="trash" label={t("character.removeGreeting", { n: i + 1 })} onClick={() => set({ alternate_greetings: greetings.filter((_, j) => j !== i) })} />}
          </div>
        ))}
      </section>
      <LorebookEditor character={character} set={set} error={error} readOnly={readOnly} />
    </div>
  );
}

function LorebookEditor({ character, set, error, readOnly }: { character: Character; set: (patch: Partial<Character>) => void; error: unknown; readOnly: boolean }) {
  const { t } = useI18n();
  const fe = useErrors(error);
  const book = character.lorebook ?? null;
  const entries = book?.entries ?? [];
  const setEntries = (next: LorebookEntry[]) => set({ lorebook: { ...(book ?? {}), entries: next } });
  const setEntry = (i: number, patch: Partial<LorebookEntry>) => setEntries(entries.map((e, j) => (j === i ? { ...e, ...patch } : e)));
  return (
    <section className="form-section" aria-labelledby="lorebook-title">
      <div className="form-section-head">
        <h3 id="lorebook-title" className="form-section-title">
          {t("lorebook.title")} <Badge>{entries.length}</Badge>
        </h3>
        {!readOnly && (
          <div className="button-row">
            {book && (
              <Button size="sm" variant="ghost" onClick={() => set({ lorebook: null })}>
                {t("lorebook.remove")}
              </Button>
            )}
            <Button size="sm" icon="plus" onClick={() => setEntries([...entries, { keys: [], content: "", enabled: true, insertion_order: entries.length * 10 }])}>
              {t("lorebook.addEntry")}
            </Button>
          </div>
        )}
      </div>
      <p className="form-section-help">{t("lorebook.help")}</p>
      {book && (
        <div className="form-grid">
          <TextInput label={t("lorebook.name")} value={book.name ?? ""} onChange={(e) => set({ lorebook: { ...book, name: e.target.value } })} />
          <TextInput label={t("lorebook.scanDepth")} type="number" min={0} value={book.scan_depth ?? ""} onChange={(e) => set({ lorebook: { ...book, scan_depth: e.target.value === "" ? null : Number(e.target.value) } })} />
        </div>
      )}
      {entries.length === 0 ? (
        <p className="muted">{t("lorebook.empty")}</p>
      ) : (
        <ol className="lore-list">
          {entries.map((entry, i) => (
            <li key={i} className="lore-entry">
              <div className="lore-head">
                <span className="lore-index">
                  <Icon name="file" size={16} /> {entry.name || entry.comment || t("lorebook.entryN", { n: i + 1 })}
                </span>
                <Checkbox label={t("lorebook.enabled")} checked={entry.enabled ?? true} onChange={(enabled) => setEntry(i, { enabled })} disabled={readOnly} />
                <Checkbox label={t("lorebook.constant")} checked={entry.constant ?? false} onChange={(constant) => setEntry(i, { constant })} disabled={readOnly} />
                {!readOnly && <IconButton icon="trash" label={t("lorebook.removeEntry", { n: i + 1 })} onClick={() => setEntries(entries.filter((_, j) => j !== i))} />}
              </div>
              <div className="form-grid">
                <ListInput label={t("lorebook.keys")} hint={t("lorebook.keysHint")} value={entry.keys ?? []} onChange={(keys) => setEntry(i, { keys })} disabled={readOnly} />
                <TextInput label={t("lorebook.comment")} value={entry.comment ?? ""} onChange={(e) => setEntry(i, { comment: e.target.value })} />
                <TextInput label={t("lorebook.order")} type="number" value={entry.insertion_order ?? 0} onChange={(e) => setEntry(i, { insertion_order: Number(e.target.value) || 0 })} />
                <Select
                  label={t("lorebook.position")}
                  value={entry.position ?? ""}
                  onChange={(e) => setEntry(i, { position: e.target.value as LorebookEntry["position"] })}
                  options={[
                    { value: "", label: t("lorebook.position.default") },
                    { value: "before_char", label: t("lorebook.position.before") },
                    { value: "after_char", label: t("lorebook.position.after") },
                  ]}
                />
              </div>
              <TextArea label={t("lorebook.content")} rows={3} value={entry.content ?? ""} onChange={(e) => setEntry(i, { content: e.target.value })} error={fe(`character.lorebook.entries[${i}].content`)} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
