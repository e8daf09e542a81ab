// Settings: the language-model providers (from the server's configuration, llm.providers, tried in
// that order), whether each answers, its circuit breaker and its models (GET /api/v1/llm/models).
import { useAuth } from "../../auth";
import { useLlmModels } from "../../api/hooks";
import type { LlmProvider } from "../../api/types";
import { DataTable } from "../../components/DataTable";
import { QueryList } from "../../components/Lists";
import { Badge, Button, Callout, Card, type Tone } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";

export function LlmProvidersCard() {
  const { t } = useI18n();
  const { can } = useAuth();
  const allowed = can("llm.read");
  const models = useLlmModels(allowed);
  return (
    <Card
      title={t("llmProviders.title")}
      description={t("llmProviders.help")}
      id="llm-providers"
      actions={
        allowed && (
          <Button size="sm" icon="server" busy={models.isFetching} onClick={() => void models.refetch()}>
            {t("llmProviders.check")}
          </Button>
        )
      }
    >
      {!allowed ? (
        <p className="muted-note">{t("llmProviders.notAllowed")}</p>
      ) : (
        <QueryList query={models} loading={t("llmProviders.checking")} empty={{ icon: "server", title: t("llmProviders.noneTitle"), text: t("llmProviders.noneText") }}>
          {(providers) => (
            <div className="stack">
              <ol className="provider-list" aria-label={t("llmProviders.order")}>
                {providers.map((p, i) => (
                  <ProviderItem key={p.name} provider={p} position={i + 1} />
                ))}
              </ol>
              <p className="muted-note">{t("llmProviders.configured")}</p>
            </div>
          )}
        </QueryList>
      )}
    </Card>
  );
}

function providerStatus(p: LlmProvider): { tone: Tone; key: "llmProviders.ok" | "llmProviders.down" | "llmProviders.paused" | "llmProviders.probing" } {
  if (p.circuit === "open") return { tone: "danger", key: "llmProviders.paused" };
  if (p.circuit === "half_open") return { tone: "warning", key: "llmProviders.probing" };
  return p.reachable ? { tone: "success", key: "llmProviders.ok" } : { tone: "danger", key: "llmProviders.down" };
}

function ProviderItem({ provider: p, position }: { provider: LlmProvider; position: number }) {
  const { t, bytes, number } = useI18n();
  const status = providerStatus(p);
  const headingId = `provider-${p.name}`;
  return (
    <li className="provider">
      <section aria-labelledby={headingId}>
        <div className="provider-head">
          <span className="provider-rank">
            <span aria-hidden="true">{position}</span>
            <span className="visually-hidden">{t("llmProviders.position", { n: position })}</span>
          </span>
          <div className="provider-name">
            <h3 id={headingId}>{p.name}</h3>
            <span className="cell-sub">
              {p.type === "ollama" ? "Ollama" : t("llmProviders.openai")}
              {p.default_model && (
                <>
                  {" · "}
                  {t("llmProviders.defaultModel")} <code>{p.default_model}</code>
                </>
              )}
            </span>
          </div>
          <Badge tone={status.tone}>{t(status.key)}</Badge>
        </div>
        {p.circuit === "open" && (
          <Callout tone="warning">
            {t("llmProviders.pausedText", { n: p.consecutive_failures, seconds: Math.ceil((p.retry_in_ms ?? 0) / 1000) })}
          </Callout>
        )}
        {p.error && (
          <Callout tone="danger" title={t("llmProviders.lastError")}>
            <code className="wrap-anywhere">{p.error}</code>
          </Callout>
        )}
        {p.models.length > 0 ? (
          <DataTable
            caption={t("llmProviders.modelsOf", { name: p.name })}
            rows={p.models}
            rowKey={(m) => m.name}
            columns={[
              {
                id: "model",
                header: t("llmProviders.model"),
                cell: (m) => (
                  <>
                    <code>{m.name}</code>
                    {m.name === p.default_model && (
                      <>
                        {" "}
                        <Badge tone="accent">{t("llmProviders.default")}</Badge>
                      </>
                    )}
                  </>
                ),
              },
              { id: "parameters", header: t("llmProviders.parameters"), cell: (m) => m.parameter_size || "—" },
              { id: "quantization", header: t("llmProviders.quantization"), cell: (m) => m.quantization || "—" },
              { id: "size", header: t("llmProviders.size"), className: "num", cell: (m) => (m.size_bytes === null ? "—" : bytes(m.size_bytes)) },
              {
                id: "loaded",
                header: t("llmProviders.loaded"),
                cell: (m) => (m.loaded === null ? <span className="muted">{t("llmProviders.unknown")}</span> : m.loaded ? <Badge tone="success">{t("llmProviders.inMemory")}</Badge> : <span className="muted">{t("common.no")}</span>),
              },
            ]}
          />
        ) : (
          p.reachable && <p className="muted-note">{t("llmProviders.noModels")}</p>
        )}
        {p.consecutive_failures > 0 && p.circuit !== "open" && <p className="muted-note">{t("llmProviders.failures", { n: number(p.consecutive_failures) })}</p>}
      </section>
    </li>
  );
}
