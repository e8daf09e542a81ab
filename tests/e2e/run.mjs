#!/usr/bin/env node
// End-to-end test of the dashboard: the real `personae` binary on a free port with a throwaway
// data folder, driven through Debian's Chromium (playwright-core), with a screenshot and an
// axe-core accessibility check of every page.
//
//   node tests/e2e/run.mjs --binary build/asan/personae --repo . [--llm-simulator PATH]
//                          [--artifacts DIR] [--no-build] [--keep]
//
// The server's language model is the LLM simulator (tests/fakes, Ollama protocol; by default the
// one built beside --binary), named in a throwaway config file. The last step starts a second
// server whose model is the simulator with --fault http-429, for retries and a dead job.
//
// Registered in CTest (label e2e) by tests/e2e/CMakeLists.txt. Screenshots and axe reports go to
// build/e2e-artifacts unless --artifacts says otherwise. Prints "N passed, N failed" last.
import { createHmac } from "node:crypto";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildDashboard, launchChromium, makeAxe, parseArgs, Recorder, runCli, startLlm, startServer, tempDir, watchPage, webRequire } from "./harness.mjs";

const args = parseArgs(process.argv.slice(2));
const started = Date.now();
const OWNER = { email: "owner@e2e.test", password: "Velvet-Harbour-2931", name: "Camille Martin" };
const VIEWER = { email: "viewer@e2e.test", password: "Quiet-Lantern-8842", name: "Léo Viewer" };
const TENANT = "Atelier Lumière";
const OTHER_TENANT = "Studio Nord";
const PERSONA = "Luna Vale";
const PORTRAIT = join(args.repo, "tests", "fixtures", "media", "portrait.png");
const LLM_MODEL = "sim-caption";
/** What the simulated model answers to a caption request (structured output). */
const MODEL_CAPTION = {
  caption: "Late night in the lighthouse studio: the stars came out to pose with me tonight.",
  call_to_action: "Tell me which shot you like best",
  topic_hashtags: ["nightsky", "studio", "portrait"],
};

if (!existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium")) {
  console.error("e2e: /usr/bin/chromium is missing: run scripts/bootstrap test (Debian package chromium)");
  process.exit(1);
}
if (args.build) buildDashboard(args.repo);
const require = webRequire(args.repo);
const recorder = new Recorder(args.artifacts);
const axe = makeAxe(require, recorder);
const work = tempDir("personae-e2e-");
const dataDir = join(work, "data");

let server;
let llm;
let browser;
const problems = [];
const results = [];

/** The API from inside the page, with the page's cookies and CSRF token, as the dashboard calls it. */
async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = document.cookie.split("; ").find((c) => c.startsWith("__Host-personae_csrf=") || c.startsWith("personae_csrf="));
      const headers = { Accept: "application/json" };
      if (csrf) headers["X-CSRF-Token"] = decodeURIComponent(csrf.split("=")[1]);
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
      return { status: response.status, text: await response.text() };
    },
    { method, path, body },
  );
}

/** The current TOTP code of a base32 secret (RFC 6238: SHA-1, 30 s, 6 digits). */
function totp(secretBase32, now = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secretBase32.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** A TOTP code that stays valid for a few seconds more (waits for the next period near its end). */
async function freshTotp(secretBase32) {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 4_000) await new Promise((resolve) => setTimeout(resolve, left + 200));
  return totp(secretBase32);
}

async function step(name, fn) {
  const t0 = Date.now();
  const before = problems.length;
  try {
    const outcome = await fn();
    if (problems.length > before) throw new Error(problems.slice(before).join("\n"));
    const skipped = outcome && typeof outcome === "object" && "skipped" in outcome ? outcome.skipped : null;
    results.push({ name, ok: true, skipped, ms: Date.now() - t0 });
    console.log(`${skipped ? "SKIP" : "PASS"} ${name} (${Date.now() - t0} ms)${skipped ? `: ${skipped}` : ""}`);
  } catch (error) {
    results.push({ name, ok: false, error: String(error?.stack ?? error), ms: Date.now() - t0 });
    console.log(`FAIL ${name} (${Date.now() - t0} ms)\n${String(error?.stack ?? error)}`);
    throw error;
  }
}

async function newPage(options = {}) {
  const context = await browser.newContext({
    baseURL: options.baseURL ?? server.baseUrl,
    locale: options.locale ?? "en-US",
    viewport: options.viewport ?? { width: 1366, height: 900 },
    deviceScaleFactor: 1,
    reducedMotion: "reduce",
    acceptDownloads: true,
  });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  watchPage(page, problems);
  return page;
}

async function nav(page, label) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label }).click();
}

async function toast(page, text) {
  await page.getByRole("status").filter({ hasText: text }).first().waitFor();
}

/**
 * At phone width nothing may stick out of the screen, and no table may scroll sideways either: a
 * DataTable shows each row as a card there.
 */
async function assertFitsPhone(page, what) {
  const { scrollWidth, clientWidth, innerWidth, scrolling } = await page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    const scrolling = [...document.querySelectorAll(".table-wrap")].filter((w) => w.scrollWidth > w.clientWidth + 1).length;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, innerWidth: window.innerWidth, scrolling };
  });
  if (scrollWidth > innerWidth || scrollWidth - clientWidth > 1) throw new Error(`${what} is ${scrollWidth - clientWidth}px wider than a phone's screen`);
  if (scrolling > 0) throw new Error(`${what}: ${scrolling} table(s) scroll sideways at phone width`);
}

/** The API until `done(job)` holds for a job (polled every 200 ms); returns the job. */
async function waitForJob(page, id, done, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = JSON.parse((await api(page, "GET", `/api/v1/jobs/${id}`)).text);
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job #${id} is never ${what}: ${JSON.stringify({ state: job.state, attempts: job.attempts, retrying: job.retrying, last_error: job.last_error })}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

try {
  await step("throwaway server and accounts", async () => {
    runCli(args.binary, dataDir, ["tenant", "create", "--name", TENANT]);
    runCli(args.binary, dataDir, ["user", "create", "--tenant", TENANT, "--email", OWNER.email, "--role", "owner", "--display-name", OWNER.name], OWNER.password + "\n");
    runCli(args.binary, dataDir, ["user", "create", "--tenant", TENANT, "--email", VIEWER.email, "--role", "viewer", "--display-name", VIEWER.name], VIEWER.password + "\n");
    // The owner also belongs to a second agency, as an admin: sign-in asks which one.
    runCli(args.binary, dataDir, ["tenant", "create", "--name", OTHER_TENANT]);
    runCli(args.binary, dataDir, ["user", "create", "--tenant", OTHER_TENANT, "--email", OWNER.email, "--role", "admin"], OWNER.password + "\n");
    llm = await startLlm({ simulator: args.llmSimulator, model: LLM_MODEL, reply: "Hello from the simulator.", structured: JSON.stringify(MODEL_CAPTION), tokenDelayMs: 60 });
    console.log(`e2e: language model: ${llm.kind} at ${llm.url}`);
    const config = join(work, "personae.toml");
    // One caption job at a time, so that a second one waits (and can be cancelled while it waits).
    writeFileSync(
      config,
      `[[llm.providers]]\nname = "simulator"\ntype = "ollama"\nurl = "${llm.url}"\nmodel = "${LLM_MODEL}"\n\n` +
        `[[jobs.queues]]\nname = "default"\n\n[[jobs.queues]]\nname = "captions"\nconcurrency = 1\n`,
    );
    server = await startServer({ binary: args.binary, repo: args.repo, dataDir, env: { PERSONAE_CONFIG: config } });
    browser = await launchChromium(require);
  });

  const page = await newPage();

  await step("sign in", async () => {
    await page.goto("/");
    await page.waitForURL(/\/signin/);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await recorder.shot(page, "signin");
    await axe(page, "signin");
    await page.getByLabel("E-mail address").fill(OWNER.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Wrong e-mail address or password.").waitFor();
    await recorder.shot(page, "signin-error");
    await page.getByLabel("Password").fill(OWNER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Choose an agency" }).waitFor();
    await recorder.shot(page, "signin-choose-agency");
    await axe(page, "signin-choose-agency");
    await page.getByRole("button", { name: new RegExp(TENANT) }).click();
    await page.getByRole("heading", { level: 1, name: /Hello, Camille/ }).waitFor();
    await page.locator(".role-badge", { hasText: "Owner" }).waitFor();
    await recorder.shot(page, "overview-empty");
    await axe(page, "overview");
  });

  let personaUrl = "";
  await step("create a persona", async () => {
    await nav(page, "Personas");
    await page.getByRole("heading", { name: "No personas yet" }).waitFor();
    await recorder.shot(page, "personas-empty");
    await axe(page, "personas-empty");
    await page.getByRole("link", { name: "New persona" }).first().click();
    await page.getByLabel("Display name").fill(PERSONA);
    await page.getByLabel("Bio").fill("Digital artist and night-sky photographer, 27. Shares studio sessions and travel diaries.");
    await recorder.shot(page, "persona-new");
    await axe(page, "persona-new");
    await page.getByRole("button", { name: "Create the draft" }).click();
    await page.getByRole("heading", { level: 1, name: PERSONA }).waitFor();
    personaUrl = page.url();
    await toast(page, `${PERSONA} was created as a draft.`);
    await page.getByRole("tab", { name: "Voice" }).click();
    await page.getByLabel("Tone").fill("Warm, playful, a little teasing; never vulgar.");
    await page.getByLabel("Own hashtags").fill("lunavale, nightsky");
    await page.getByLabel("Own hashtags").press("Enter");
    await recorder.shot(page, "persona-voice");
    await axe(page, "persona-voice");
    await page.getByRole("tab", { name: "Boundaries & disclosures" }).click();
    await page.getByRole("checkbox", { name: "Publish on Fanvue" }).check();
    await page.getByRole("region", { name: "Fanvue" }).getByRole("checkbox", { name: "Suggestive" }).check();
    await recorder.shot(page, "persona-boundaries");
    await axe(page, "persona-boundaries");
    await page.getByRole("button", { name: "Save" }).click();
    await toast(page, "Changes saved.");
    await page.getByText("All changes saved").waitFor();
    await page.getByRole("tab", { name: "Character" }).click();
    await page.getByRole("button", { name: "Add an entry" }).click();
    await page.getByLabel("Keywords").fill("studio");
    await page.getByLabel("Keywords").press("Enter");
    await page.getByLabel("Content").fill("Her studio is a converted lighthouse on the Breton coast.");
    await recorder.shot(page, "persona-character");
    await axe(page, "persona-character");
    await page.getByRole("button", { name: "Save" }).click();
    await toast(page, "Changes saved.");
  });

  await step("activate it with the attestation", async () => {
    await page.getByRole("button", { name: "Activate" }).click();
    const dialog = page.getByRole("dialog", { name: `Activate ${PERSONA}` });
    await dialog.waitFor();
    const confirm = dialog.getByRole("button", { name: "Activate" });
    if (!(await confirm.isDisabled())) throw new Error("activation is possible before the attestation is ticked");
    await dialog.getByRole("checkbox", { name: /I attest that Luna Vale is an invented adult/ }).check();
    await recorder.shot(page, "persona-activate", { fullPage: false });
    await axe(page, "persona-activate");
    await confirm.click();
    await toast(page, `${PERSONA} is now active.`);
    await page.locator(".page-header .badge", { hasText: "Active" }).waitFor();
    await nav(page, "Personas");
    await page.getByRole("link", { name: PERSONA }).waitFor();
    await recorder.shot(page, "personas-list");
    await axe(page, "personas-list");
  });

  await step("import a character card, export one", async () => {
    await page.getByRole("button", { name: "Import a card" }).click();
    const dialog = page.getByRole("dialog", { name: "Import a character card" });
    await dialog.locator('input[type="file"]').setInputFiles(join(args.repo, "tests", "fixtures", "cards", "sillytavern_v2_lorebook.json"));
    await dialog.getByRole("button", { name: "Import", exact: true }).click();
    await dialog.getByText(/was imported as a draft/).first().waitFor();
    await dialog.getByText("Card format: V2.").waitFor();
    await recorder.shot(page, "persona-import", { fullPage: false });
    await axe(page, "persona-import");
    await dialog.getByRole("button", { name: "Open the persona" }).click();
    await page.getByRole("tab", { name: "Character" }).click();
    const entries = await page.locator(".lore-entry").count();
    if (entries === 0) throw new Error("the imported card's lorebook did not come along");
    const id = decodeURIComponent(personaUrl.split("/personas/")[1] ?? "");
    for (const query of ["format=json&version=v3", "format=png&version=v2"]) {
      const card = await api(page, "GET", `/api/v1/personas/${id}/card?${query}`);
      if (card.status !== 200) throw new Error(`exporting the card (${query}) answered ${card.status}`);
    }
  });

  let mediaUrl = "";
  await step("upload an image and see its variants", async () => {
    await nav(page, "Media vault");
    await page.getByRole("heading", { name: "The vault is empty" }).waitFor();
    await recorder.shot(page, "media-empty");
    await axe(page, "media-empty");
    await page.getByRole("button", { name: "Upload" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Upload to the vault" });
    await dialog.locator('input[type="file"]').setInputFiles(PORTRAIT);
    await dialog.getByLabel("Persona").selectOption({ label: PERSONA });
    await dialog.getByLabel("Category").selectOption({ index: 1 });
    await dialog.getByLabel("Rating").selectOption("suggestive");
    await dialog.getByLabel("Tags").fill("studio, portrait");
    await dialog.getByLabel("Tags").press("Enter");
    await recorder.shot(page, "media-upload-form", { fullPage: false });
    await axe(page, "media-upload-form");
    await dialog.getByRole("button", { name: "Upload", exact: true }).click();
    await dialog.getByText("Done", { exact: true }).first().waitFor({ timeout: 120_000 });
    await dialog.getByText(/variants made/).waitFor();
    await recorder.shot(page, "media-upload-done", { fullPage: false });
    await dialog.getByRole("link", { name: "Open the item" }).click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    mediaUrl = page.url();
    await page.getByText("AI-generated, labelled in the file").waitFor();
    const rows = page.getByRole("table", { name: /variants?/ }).locator("tbody tr");
    await rows.first().waitFor();
    const count = await rows.count();
    const names = await rows.locator("th").allInnerTexts();
    if (count < 3 || !names.some((n) => /thumbnail/.test(n)) || !names.some((n) => /original/.test(n))) {
      throw new Error(`expected the original, a thumbnail and platform variants, got ${count}: ${names.join(", ")}`);
    }
    const loaded = await page.locator(".preview img").evaluate((img) => img.complete && img.naturalWidth > 0);
    if (!loaded) throw new Error("the preview image did not load");
    await recorder.shot(page, "media-detail");
    await axe(page, "media-detail");
    await page.getByRole("button", { name: "Share a link" }).click();
    const linkDialog = page.getByRole("dialog", { name: "Share a link" });
    await linkDialog.getByRole("button", { name: "Create the link" }).click();
    const link = await linkDialog.getByLabel("Link", { exact: true }).inputValue();
    const fetched = await fetch(link);
    if (fetched.status !== 200) throw new Error(`the signed link answered ${fetched.status}`);
    await recorder.shot(page, "media-signed-link", { fullPage: false });
    await linkDialog.getByRole("button", { name: "Close" }).last().click();
    await nav(page, "Media vault");
    await page.locator(".media-tile img").first().waitFor();
    const thumbLoaded = await page.locator(".media-tile img").first().evaluate((img) => new Promise((resolve) => (img.complete ? resolve(img.naturalWidth > 0) : img.addEventListener("load", () => resolve(img.naturalWidth > 0)))));
    if (!thumbLoaded) throw new Error("the grid thumbnail did not load");
    await page.getByLabel("Rating").selectOption("explicit");
    await page.getByRole("heading", { name: "Nothing matches these filters" }).waitFor();
    await page.getByRole("button", { name: "Clear the filters" }).first().click();
    await page.locator(".media-tile").first().waitFor();
    await recorder.shot(page, "media-grid");
    await axe(page, "media-grid");
  });

  let captionUrl = "";
  let captionId = "";
  let captionJobId = 0;
  await step("generate a caption and see the job complete", async () => {
    await nav(page, "Captions");
    await page.getByRole("heading", { name: "No captions yet" }).waitFor();
    await recorder.shot(page, "captions-empty");
    await axe(page, "captions-empty");
    const form = page.getByRole("region", { name: "New caption" });
    await form.getByLabel("Persona").selectOption({ label: PERSONA });
    await form.getByRole("radio", { name: /An image from the vault/ }).check();
    await form.getByLabel("Vault image").selectOption({ index: 0 });
    await form.getByLabel("Notes for the writer (optional)").fill("A new print series of the night sky, shot from the lighthouse.");
    // The platform by keyboard: arrow keys move within the radio group.
    await form.getByRole("radio", { name: "Instagram" }).focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    if (!(await form.getByRole("radio", { name: "Fanvue" }).isChecked())) throw new Error("the arrow keys did not choose Fanvue");
    await recorder.shot(page, "captions-form");
    await form.getByRole("button", { name: "Generate" }).click();
    const panel = page.getByRole("region", { name: `Fanvue caption for ${PERSONA}` });
    // The generation shows its progress while the job runs (the model answers slowly on purpose).
    await panel.getByText("Writing the caption…").first().waitFor();
    await panel.getByRole("progressbar", { name: "Writing the caption…" }).waitFor();
    await recorder.shot(page, "caption-generating");
    await axe(page, "caption-generating");
    await panel.getByText(MODEL_CAPTION.caption).waitFor({ timeout: 90_000 });
    captionUrl = page.url();
    captionId = new URL(captionUrl).searchParams.get("caption") ?? "";
    await panel.getByText(MODEL_CAPTION.call_to_action, { exact: true }).waitFor();
    for (const tag of MODEL_CAPTION.topic_hashtags) await panel.getByRole("list", { name: "Hashtags" }).getByText(`#${tag}`, { exact: true }).waitFor();
    // The safety decision and why.
    await panel.getByRole("heading", { name: "Why" }).waitFor();
    const verdict = await panel.locator("#decision-title").innerText();
    if (!/Cleared by the safety checks|Needs a human review|Blocked by the safety checks/.test(verdict)) throw new Error(`unexpected safety decision "${verdict}"`);
    await recorder.shot(page, "caption-done");
    await axe(page, "caption-done");
    const caption = JSON.parse((await api(page, "GET", `/api/v1/captions/${captionId}`)).text);
    captionJobId = caption.job_id;
    if (!captionJobId) throw new Error("the caption names no job");
    const job = JSON.parse((await api(page, "GET", `/api/v1/jobs/${captionJobId}`)).text);
    if (job.state !== "succeeded") throw new Error(`the caption's job is ${job.state}`);

    // Edit: the server checks the new text again.
    await panel.getByRole("button", { name: "Edit" }).click();
    const text = panel.getByLabel("Text to publish");
    const original = await text.inputValue();
    const edited = original.replace(MODEL_CAPTION.caption, `${MODEL_CAPTION.caption} New prints on Friday.`);
    if (edited === original) throw new Error("the caption text does not start with the model's caption");
    await text.fill(edited);
    await recorder.shot(page, "caption-edit");
    await axe(page, "caption-edit");
    await panel.getByRole("button", { name: "Save and check" }).click();
    await toast(page, "Saved");
    await panel.getByText("New prints on Friday.", { exact: false }).waitFor();
    const after = JSON.parse((await api(page, "GET", `/api/v1/captions/${captionId}`)).text);
    if (!after.text.includes("New prints on Friday.") || !after.edited_by) throw new Error("the edit was not saved");
    if (after.status === "needs_review") {
      await panel.getByRole("button", { name: "Approve" }).click();
      await toast(page, "The caption is approved.");
      await panel.getByText("Approved after review on", { exact: false }).waitFor();
    }
    // The list, with its filters.
    const list = page.getByRole("region", { name: "All captions" });
    await list.getByRole("table", { name: "All captions" }).locator("tbody tr").first().waitFor();
    await list.getByLabel("Platform").selectOption("reddit");
    await list.getByRole("heading", { name: "No caption matches these filters" }).waitFor();
    await list.getByLabel("Platform").selectOption("fanvue");
    await list.getByRole("table", { name: "All captions" }).locator("tbody tr").first().waitFor();
    await recorder.shot(page, "captions");
    await axe(page, "captions");
  });

  await step("jobs: queues, the caption's job and its attempts", async () => {
    await nav(page, "Jobs");
    const queues = page.getByRole("table", { name: "Queues" });
    await queues.getByRole("rowheader", { name: "captions" }).waitFor();
    const jobs = page.getByRole("table", { name: "All jobs" });
    const row = jobs.locator("tbody tr").filter({ hasText: `#${captionJobId} ·` });
    await row.getByText("Succeeded").waitFor();
    await recorder.shot(page, "jobs");
    await axe(page, "jobs");
    await page.getByLabel("State").selectOption("dead");
    await page.getByRole("heading", { name: "No job matches these filters" }).waitFor();
    await page.getByRole("button", { name: "Clear the filters" }).first().click();
    await row.getByRole("link", { name: "Caption writing" }).click();
    const dialog = page.getByRole("dialog", { name: `Job #${captionJobId}` });
    const attempts = dialog.getByRole("table", { name: "Attempts" }).locator("tbody tr");
    await attempts.first().getByText("Succeeded").waitFor();
    await dialog.getByRole("link", { name: "Open the caption" }).waitFor();
    if (await dialog.getByRole("button", { name: "Replay" }).count()) throw new Error("a succeeded job offers a replay");
    await recorder.shot(page, "job-detail", { fullPage: false });
    await axe(page, "job-detail");
    // The server refuses what the page does not offer.
    const replay = await api(page, "POST", `/api/v1/jobs/${captionJobId}/replay`);
    if (replay.status !== 409) throw new Error(`replaying a succeeded job answered ${replay.status}`);
    await dialog.getByRole("button", { name: "Close" }).last().click();

    // A cancelled job, replayed from the page. The captions queue runs one job at a time (see the
    // config above) and the model takes a moment: an X caption runs while an Instagram one waits,
    // and that one is cancelled while it waits. (The persona publishes on neither: both are blocked.)
    const personaId = decodeURIComponent(personaUrl.split("/personas/")[1] ?? "");
    const order = async (platform, brief) => {
      const answer = await api(page, "POST", "/api/v1/captions", { persona_id: personaId, platform, brief });
      if (answer.status !== 202) throw new Error(`ordering a caption answered ${answer.status}: ${answer.text}`);
      return JSON.parse(answer.text).job_id;
    };
    await order("x", "Behind the scenes of the lighthouse studio.");
    const otherJob = await order("instagram", "A storm over the lighthouse, seen from the studio window.");
    const cancel = await api(page, "POST", `/api/v1/jobs/${otherJob}/cancel`);
    if (cancel.status !== 200 || JSON.parse(cancel.text).state !== "cancelled") throw new Error(`cancelling a waiting job answered ${cancel.status}: ${cancel.text}`);
    await page.getByLabel("State").selectOption("cancelled");
    const cancelledRow = jobs.locator("tbody tr").filter({ hasText: `#${otherJob} ·` });
    await cancelledRow.getByText("Cancelled", { exact: true }).waitFor();
    await cancelledRow.getByRole("link", { name: "Caption writing" }).click();
    const replayDialog = page.getByRole("dialog", { name: `Job #${otherJob}` });
    await replayDialog.getByRole("button", { name: "Replay" }).click();
    await toast(page, "The job was queued again.");
    await replayDialog.locator(".job-summary").getByText("Succeeded").waitFor({ timeout: 60_000 });
    await replayDialog.getByRole("table", { name: "Attempts" }).locator("tbody tr").filter({ hasText: "Succeeded" }).waitFor();
    await recorder.shot(page, "job-replayed", { fullPage: false });
    await axe(page, "job-replayed");
    // Its caption: blocked, and why.
    await replayDialog.getByRole("link", { name: "Open the caption" }).click();
    const blocked = page.getByRole("region", { name: `Instagram caption for ${PERSONA}` });
    await blocked.getByText("Blocked by the safety checks").waitFor();
    await blocked.getByRole("list", { name: "Why" }).getByText("Blocks", { exact: true }).first().waitFor();
    if (await blocked.getByRole("button", { name: "Approve" }).count()) throw new Error("a blocked caption offers Approve");
    await recorder.shot(page, "caption-blocked");
    await axe(page, "caption-blocked");
  });

  await step("team, settings, account and sessions pages", async () => {
    await nav(page, "Team");
    await page.getByRole("table", { name: "Members" }).waitFor();
    await recorder.shot(page, "team-members");
    await axe(page, "team-members");
    await page.getByRole("tab", { name: "Invitations" }).click();
    await page.getByRole("button", { name: "Invite someone" }).click();
    const invite = page.getByRole("dialog", { name: "Invite someone" });
    await invite.getByLabel("E-mail address").fill("new.chatter@e2e.test");
    await invite.getByRole("button", { name: "Create the invitation" }).click();
    const link = await invite.getByLabel("Invitation link").inputValue();
    if (!link.startsWith(`${server.baseUrl}/invite#token=`)) throw new Error(`unexpected invitation link ${link}`);
    await recorder.shot(page, "team-invitation-link", { fullPage: false });
    await invite.getByRole("button", { name: "Done" }).click();
    await page.getByRole("table", { name: "Invitations" }).waitFor();
    const invitee = await newPage();
    await invitee.goto(link);
    await invitee.getByRole("heading", { name: "Join an agency" }).waitFor();
    if (invitee.url().includes("token=")) throw new Error("the invitation token stayed in the address bar");
    await recorder.shot(invitee, "invite-register");
    await axe(invitee, "invite-register");
    await invitee.getByLabel("Your name").fill("Noé Chatter");
    await invitee.getByLabel("New password").fill("Amber-Compass-5521");
    await invitee.getByRole("button", { name: "Create my account" }).click();
    await invitee.getByRole("heading", { name: `Welcome to ${TENANT}` }).waitFor();
    await invitee.getByText("You joined as Chatter.").waitFor();
    await recorder.shot(invitee, "invite-welcome");
    await invitee.goto("/setup#token=not-a-token");
    await invitee.getByRole("heading", { name: "Personae is set up" }).waitFor();
    await recorder.shot(invitee, "setup-done");
    await axe(invitee, "setup-done");
    await invitee.context().close();
    await page.getByRole("tab", { name: "API keys" }).click();
    await recorder.shot(page, "team-api-keys");
    await axe(page, "team-api-keys");
    await nav(page, "Settings");
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    const providers = page.getByRole("region", { name: "Language models" });
    await providers.getByRole("heading", { name: "simulator" }).waitFor();
    await providers.getByText("Answering", { exact: true }).waitFor();
    await providers.getByRole("table", { name: "Models of simulator" }).getByText(LLM_MODEL, { exact: true }).waitFor();
    await recorder.shot(page, "settings");
    await axe(page, "settings");
    await page.getByRole("navigation", { name: "Your account" }).getByRole("link", { name: "Security & profile" }).click();
    await page.getByRole("heading", { level: 1, name: "Security & profile" }).waitFor();
    await page.getByRole("button", { name: "Turn on" }).click();
    const totp = page.getByRole("dialog", { name: "Turn on two-step verification" });
    await totp.getByLabel("Password").fill(OWNER.password);
    await totp.getByRole("button", { name: "Continue" }).click();
    await totp.getByRole("img", { name: /QR code/ }).waitFor();
    await recorder.shot(page, "account-totp-qr", { fullPage: false });
    await axe(page, "account-totp-qr");
    await totp.getByRole("button", { name: "Cancel" }).click();
    await recorder.shot(page, "account");
    await axe(page, "account");
    await page.getByRole("navigation", { name: "Your account" }).getByRole("link", { name: "Sessions" }).click();
    await page.getByRole("table", { name: "Sessions" }).waitFor();
    await page.getByText("This device").waitFor();
    await recorder.shot(page, "sessions");
    await axe(page, "sessions");
    await nav(page, "Overview");
    await page.getByRole("heading", { name: "Vault by category" }).waitFor();
    await page.locator(".chart canvas").waitFor();
    await page.getByRole("table", { name: "Vault by category" }).waitFor({ state: "attached" });
    await recorder.shot(page, "overview");
    await axe(page, "overview-with-data");
  });

  await step("phone width: the captions, jobs and team lists are cards, not wide tables", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/captions");
    const captions = page.getByRole("table", { name: "All captions" });
    await captions.getByRole("rowheader").first().waitFor();
    await assertFitsPhone(page, "/captions");
    // A card: the row's header as its title, then each value with its column's label.
    if (!(await captions.locator("tbody tr").first().locator(".cell-label").first().isVisible())) throw new Error("a caption card shows no labels");
    await recorder.shot(page, "phone-captions");
    await axe(page, "phone-captions");
    await page.goto("/jobs");
    const jobs = page.getByRole("table", { name: "All jobs" });
    const row = jobs.locator("tbody tr").filter({ hasText: `#${captionJobId} ·` });
    await row.getByText("Succeeded").waitFor();
    await page.getByRole("table", { name: "Queues" }).getByRole("rowheader", { name: "captions" }).waitFor();
    await assertFitsPhone(page, "/jobs");
    await recorder.shot(page, "phone-jobs");
    await axe(page, "phone-jobs");
    await row.getByRole("link", { name: "Caption writing" }).click();
    const dialog = page.getByRole("dialog", { name: `Job #${captionJobId}` });
    await dialog.getByRole("table", { name: "Attempts" }).getByText("Succeeded").first().waitFor();
    await assertFitsPhone(page, "a job's detail");
    await dialog.getByRole("table", { name: "Attempts" }).scrollIntoViewIfNeeded();
    await recorder.shot(page, "phone-job-detail", { fullPage: false });
    await axe(page, "phone-job-detail");
    await dialog.getByRole("button", { name: "Close" }).last().click();
    await page.goto("/team");
    const members = page.getByRole("table", { name: "Members" });
    // The row's actions stay reachable in its card.
    await members.getByRole("button", { name: `Edit ${VIEWER.name}` }).waitFor();
    await assertFitsPhone(page, "/team");
    await recorder.shot(page, "phone-team-members");
    await axe(page, "phone-team-members");
    await page.setViewportSize({ width: 1366, height: 900 });
    // Wide again: a plain table, without the cards' labels.
    if (await members.locator(".cell-label").first().isVisible()) throw new Error("the cards' labels show on a wide screen");
  });

  await step("French and phone width", async () => {
    await nav(page, "Personas");
    await page.getByLabel("Language").selectOption("fr");
    await page.getByRole("heading", { level: 1, name: "Personas" }).waitFor();
    await page.getByRole("button", { name: "Importer une carte" }).waitFor();
    await recorder.shot(page, "fr-personas");
    await axe(page, "fr-personas");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(mediaUrl);
    await page.getByText("Généré par IA, mention dans le fichier").waitFor();
    await recorder.shot(page, "fr-phone-media-detail");
    await axe(page, "fr-phone-media-detail");
    await page.getByRole("button", { name: "Ouvrir le menu" }).click();
    await page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: "Médiathèque" }).waitFor();
    await recorder.shot(page, "fr-phone-menu", { fullPage: false });
    await page.keyboard.press("Escape");
    await page.goto(captionUrl);
    await page.getByRole("region", { name: `Légende Fanvue pour ${PERSONA}` }).getByText("New prints on Friday.", { exact: false }).waitFor();
    await page.getByRole("table", { name: "Toutes les légendes" }).getByRole("rowheader").first().waitFor();
    await assertFitsPhone(page, "/captions (fr)");
    await recorder.shot(page, "fr-phone-captions");
    await axe(page, "fr-phone-captions");
    await page.goto("/jobs");
    await page.getByRole("table", { name: "Toutes les tâches" }).getByText("Réussie").first().waitFor();
    await assertFitsPhone(page, "/jobs (fr)");
    await recorder.shot(page, "fr-phone-jobs");
    await axe(page, "fr-phone-jobs");
    await page.goto("/settings");
    await page.getByRole("region", { name: "Modèles de langage" }).getByText("Répond", { exact: true }).waitFor();
    await recorder.shot(page, "fr-phone-settings");
    // Every other page at phone width: nothing may stick out of the screen, no table scrolls.
    const pages = { overview: "/", personas: "/personas", persona: new URL(personaUrl).pathname, media: "/media", team: "/team", account: "/account", sessions: "/account/sessions" };
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(path);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await page.locator(".state-loading").first().waitFor({ state: "detached" });
      await assertFitsPhone(page, path);
      await recorder.shot(page, `fr-phone-${name}`);
      await axe(page, `fr-phone-${name}`);
    }
    await page.getByLabel("Langue").selectOption("en");
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  await step("switch agency", async () => {
    await page.getByLabel("Agency", { exact: true }).selectOption({ label: `${OTHER_TENANT} (Admin)` });
    const dialog = page.getByRole("dialog", { name: `Switch to ${OTHER_TENANT}` });
    await dialog.getByLabel("Password").fill(OWNER.password);
    await recorder.shot(page, "switch-agency", { fullPage: false });
    await axe(page, "switch-agency");
    await dialog.getByRole("button", { name: "Switch" }).click();
    await toast(page, `You are now working in ${OTHER_TENANT}.`);
    await page.locator(".role-badge", { hasText: "Admin" }).waitFor();
    await nav(page, "Personas");
    await page.getByRole("heading", { name: "No personas yet" }).waitFor();
    await page.getByRole("navigation", { name: "Your account" }).getByRole("link", { name: "Sessions" }).click();
    await page.getByRole("table", { name: "Sessions" }).waitFor();
    const rows = await page.getByRole("table", { name: "Sessions" }).locator("tbody tr").count();
    if (rows !== 1) throw new Error(`the previous session was not ended: ${rows} sessions listed`);
  });

  await step("turn on two-step verification, sign in again with a recovery code", async () => {
    await page.getByRole("navigation", { name: "Your account" }).getByRole("link", { name: "Security & profile" }).click();
    await page.getByRole("button", { name: "Turn on" }).click();
    const dialog = page.getByRole("dialog", { name: "Turn on two-step verification" });
    await dialog.getByLabel("Password").fill(OWNER.password);
    await dialog.getByRole("button", { name: "Continue" }).click();
    const secret = await dialog.getByLabel("Secret key").innerText();
    await dialog.getByLabel("Code").fill(await freshTotp(secret));
    await dialog.getByRole("button", { name: "Turn on" }).click();
    // allInnerTexts() does not wait: wait for the codes to be shown first.
    await dialog.getByRole("list", { name: "Recovery codes" }).locator("li").first().waitFor();
    const codes = await dialog.getByRole("list", { name: "Recovery codes" }).locator("li").allInnerTexts();
    if (codes.length < 5) throw new Error(`expected recovery codes, got ${codes.length}`);
    await recorder.shot(page, "account-recovery-codes", { fullPage: false });
    await axe(page, "account-recovery-codes");
    await dialog.getByRole("button", { name: "I have saved them" }).click();
    await page.getByRole("region", { name: "Two-step verification" }).getByText("On", { exact: true }).waitFor();
    await page.getByRole("button", { name: OWNER.name }).click();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/signin/);
    await page.getByLabel("E-mail address").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: new RegExp(TENANT) }).click();
    await page.getByRole("heading", { name: "Two-step verification" }).waitFor();
    await recorder.shot(page, "signin-code");
    await axe(page, "signin-code");
    await page.getByRole("button", { name: "Use a recovery code instead" }).click();
    await page.getByLabel("Recovery code").fill(codes[0]);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("heading", { level: 1, name: /Hello, Camille/ }).waitFor();
    await page.locator(".role-badge", { hasText: "Owner" }).waitFor();
    // Now that the owner has it, the agency requires it of everyone.
    await nav(page, "Settings");
    await page.getByRole("checkbox", { name: "Require two-step verification" }).check();
    await page.getByLabel("Your password, to confirm").fill(OWNER.password);
    await page.getByRole("button", { name: "Save" }).click();
    await toast(page, "Two-step verification is now required.");
  });

  await step("sign out", async () => {
    await page.getByRole("button", { name: OWNER.name }).click();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/signin/);
    await page.goto(personaUrl);
    await page.waitForURL(/\/signin\?next=/);
  });

  const viewer = await newPage();
  await step("a member without two-step verification sets it up while signing in", async () => {
    // The agency now requires two-step verification (the owner turned it on above).
    await viewer.goto("/");
    await viewer.waitForURL(/\/signin/);
    await viewer.getByLabel("E-mail address").fill(VIEWER.email);
    await viewer.getByLabel("Password").fill(VIEWER.password);
    await viewer.getByRole("button", { name: "Sign in" }).click();
    await viewer.getByRole("heading", { name: "Set up two-step verification" }).waitFor();
    await viewer.getByRole("img", { name: /QR code/ }).waitFor();
    await recorder.shot(viewer, "signin-required-enrolment");
    await axe(viewer, "signin-required-enrolment");
    await viewer.getByLabel("Code").fill(await freshTotp(await viewer.getByLabel("Secret key").innerText()));
    await viewer.getByRole("button", { name: "Turn on and sign in" }).click();
    await viewer.getByRole("heading", { name: "Two-step verification is on" }).waitFor();
    await viewer.getByRole("list", { name: "Recovery codes" }).waitFor();
    await viewer.getByRole("button", { name: "Continue" }).click();
    await viewer.getByRole("heading", { level: 1, name: /Hello, Léo/ }).waitFor();
  });

  await step("a viewer cannot edit (controls hidden, the API refuses)", async () => {
    await viewer.locator(".role-badge", { hasText: "Viewer" }).waitFor();
    await nav(viewer, "Personas");
    await viewer.getByRole("link", { name: PERSONA }).waitFor();
    for (const label of ["New persona", "Import a card", "Activate", "Deactivate"]) {
      if ((await viewer.getByRole("button", { name: label }).count()) + (await viewer.getByRole("link", { name: label }).count()) > 0) {
        throw new Error(`a viewer sees "${label}" on the persona list`);
      }
    }
    await recorder.shot(viewer, "viewer-personas");
    await axe(viewer, "viewer-personas");
    await viewer.getByRole("link", { name: PERSONA }).click();
    await viewer.getByText("Your role does not allow changing it.").waitFor();
    if (!(await viewer.getByLabel("Display name").isDisabled())) throw new Error("a viewer can type in the persona form");
    if (await viewer.getByRole("button", { name: "Save" }).count()) throw new Error("a viewer sees the Save button");
    if (await viewer.getByRole("button", { name: /Delete/ }).count()) throw new Error("a viewer sees Delete");
    await recorder.shot(viewer, "viewer-persona");
    await axe(viewer, "viewer-persona");
    await nav(viewer, "Media vault");
    await viewer.locator(".media-tile").first().waitFor();
    if (await viewer.getByRole("button", { name: "Upload" }).count()) throw new Error("a viewer sees Upload");
    await viewer.goto(mediaUrl);
    await viewer.getByRole("heading", { name: "Details" }).waitFor();
    if (await viewer.getByRole("button", { name: "Delete" }).count()) throw new Error("a viewer sees Delete on a media item");
    if (await viewer.getByRole("heading", { name: "Edit" }).count()) throw new Error("a viewer sees the media edit form");
    await recorder.shot(viewer, "viewer-media-detail");
    const personaId = decodeURIComponent(personaUrl.split("/personas/")[1] ?? "");
    const refusals = [
      await api(viewer, "POST", "/api/v1/personas", { display_name: "Intruder" }),
      await api(viewer, "PATCH", `/api/v1/personas/${personaId}`, { bio: "changed by a viewer" }),
      await api(viewer, "POST", `/api/v1/personas/${personaId}/deactivate`),
      await api(viewer, "DELETE", `/api/v1/media/${decodeURIComponent(mediaUrl.split("/media/")[1] ?? "")}`),
    ];
    // Captions and jobs: read-only.
    await nav(viewer, "Captions");
    await viewer.getByRole("table", { name: "All captions" }).locator("tbody tr").first().waitFor();
    if (await viewer.getByRole("region", { name: "New caption" }).count()) throw new Error("a viewer sees the caption form");
    await viewer.getByRole("table", { name: "All captions" }).locator("tbody tr").filter({ hasText: "Fanvue" }).getByRole("link").click();
    const viewerPanel = viewer.getByRole("region", { name: `Fanvue caption for ${PERSONA}` });
    await viewerPanel.getByText("Your role lets you read captions, not change them.").waitFor();
    for (const label of ["Edit", "Approve", "Generate"]) {
      if (await viewer.getByRole("button", { name: label }).count()) throw new Error(`a viewer sees "${label}" on the captions page`);
    }
    await recorder.shot(viewer, "viewer-captions");
    await axe(viewer, "viewer-captions");
    await nav(viewer, "Jobs");
    await viewer.getByRole("table", { name: "All jobs" }).locator("tbody tr").filter({ hasText: `#${captionJobId} ·` }).getByRole("link", { name: "Caption writing" }).click();
    const viewerJob = viewer.getByRole("dialog", { name: `Job #${captionJobId}` });
    await viewerJob.getByRole("table", { name: "Attempts" }).waitFor();
    for (const label of ["Retry now", "Cancel the job", "Replay"]) {
      if (await viewerJob.getByRole("button", { name: label }).count()) throw new Error(`a viewer sees "${label}" on a job`);
    }
    await viewerJob.getByRole("button", { name: "Close" }).last().click();
    await nav(viewer, "Settings");
    await viewer.getByText("Owners, admins and managers see the language models and their health.").waitFor();
    refusals.push(
      await api(viewer, "POST", "/api/v1/captions", { persona_id: personaId, platform: "x", brief: "from a viewer" }),
      await api(viewer, "POST", `/api/v1/captions/${captionId}/approve`),
      await api(viewer, "POST", `/api/v1/jobs/${captionJobId}/replay`),
      await api(viewer, "GET", "/api/v1/llm/models"),
    );
    refusals.push(await api(viewer, "PATCH", `/api/v1/captions/${captionId}`, { text: "changed by a viewer" }));
    for (const r of refusals) if (r.status !== 403) throw new Error(`the API answered ${r.status} to a viewer's change: ${r.text}`);
    const untouched = JSON.parse((await api(viewer, "GET", `/api/v1/personas/${personaId}`)).text);
    if (untouched.bio === "changed by a viewer" || untouched.status !== "active") throw new Error("a viewer's change went through");
    await viewer.context().close();
  });

  await step("jobs: retry now while a failed job waits, then a job that failed for good", async () => {
    // A server of its own whose only language model refuses every generation (the simulator's
    // http-429 fault, Retry-After 7 s): a caption job fails and waits at least 7 s for its retry
    // (time to press "Retry now"), then dies after its 5 attempts, each retried at once here.
    const busyData = join(work, "busy-data");
    runCli(args.binary, busyData, ["tenant", "create", "--name", TENANT]);
    runCli(args.binary, busyData, ["user", "create", "--tenant", TENANT, "--email", OWNER.email, "--role", "owner", "--display-name", OWNER.name], OWNER.password + "\n");
    const busyLlm = await startLlm({ simulator: args.llmSimulator, model: LLM_MODEL, reply: "Hello from the simulator.", structured: JSON.stringify(MODEL_CAPTION), fault: "http-429" });
    const busyConfig = join(work, "busy.toml");
    writeFileSync(busyConfig, `[[llm.providers]]\nname = "busy"\ntype = "ollama"\nurl = "${busyLlm.url}"\nmodel = "${LLM_MODEL}"\n`);
    const busyServer = await startServer({ binary: args.binary, repo: args.repo, dataDir: busyData, env: { PERSONAE_CONFIG: busyConfig } });
    let busy;
    try {
      busy = await newPage({ baseURL: busyServer.baseUrl });
      await busy.goto("/");
      await busy.waitForURL(/\/signin/);
      await busy.getByLabel("E-mail address").fill(OWNER.email);
      await busy.getByLabel("Password").fill(OWNER.password);
      await busy.getByRole("button", { name: "Sign in" }).click();
      await busy.getByRole("heading", { level: 1, name: /Hello, Camille/ }).waitFor();
      const created = await api(busy, "POST", "/api/v1/personas", { display_name: PERSONA });
      if (created.status !== 201) throw new Error(`creating a persona answered ${created.status}: ${created.text}`);
      const personaId = JSON.parse(created.text).id;
      const activated = await api(busy, "POST", `/api/v1/personas/${personaId}/activate`, { attest_fictional_adult: true });
      if (activated.status !== 200) throw new Error(`activating the persona answered ${activated.status}: ${activated.text}`);
      const ordered = await api(busy, "POST", "/api/v1/captions", { persona_id: personaId, platform: "x", brief: "Behind the scenes of the lighthouse studio." });
      if (ordered.status !== 202) throw new Error(`ordering a caption answered ${ordered.status}: ${ordered.text}`);
      const { id: failingCaption, job_id: jobId } = JSON.parse(ordered.text);

      // The first attempt fails; the job waits for its retry, and says so.
      const waiting = await waitForJob(busy, jobId, (j) => j.state === "queued" && j.retrying && j.attempts === 1, "waiting for its retry", 30_000);
      await busy.goto(`/jobs?job=${jobId}`);
      const dialog = busy.getByRole("dialog", { name: `Job #${jobId}` });
      await dialog.getByText("Waiting to be tried again").waitFor();
      await dialog.locator(".job-summary").getByText("Retrying", { exact: true }).waitFor();
      await dialog.getByRole("table", { name: "Attempts" }).getByText("Failed", { exact: true }).waitFor();
      await dialog.getByRole("table", { name: "Attempts" }).scrollIntoViewIfNeeded();
      await recorder.shot(busy, "job-retrying", { fullPage: false });
      await axe(busy, "job-retrying");
      await dialog.getByRole("button", { name: "Retry now" }).click();
      await toast(busy, "The job will run now.");
      const again = await waitForJob(busy, jobId, (j) => j.attempts === 2 && j.state === "queued" && j.retrying, "tried again", 30_000);
      const second = again.history.find((a) => a.number === 2);
      if (!second || second.started_at >= waiting.run_at) throw new Error(`"Retry now" did not run the job before its retry time (${JSON.stringify({ run_at: waiting.run_at, second })})`);
      await dialog.getByRole("table", { name: "Attempts" }).locator("tbody tr").nth(1).waitFor();

      // The other attempts, each retried at once, until the job has used them all.
      let job = again;
      while (job.state !== "dead") {
        const retried = await api(busy, "POST", `/api/v1/jobs/${jobId}/retry`);
        if (retried.status !== 200) throw new Error(`retrying job #${jobId} answered ${retried.status}: ${retried.text}`);
        const before = job.attempts;
        job = await waitForJob(busy, jobId, (j) => j.attempts > before && (j.state === "dead" || (j.state === "queued" && j.retrying)), "tried again", 30_000);
      }
      if (job.attempts !== job.max_attempts) throw new Error(`job #${jobId} died after ${job.attempts} of ${job.max_attempts} attempts`);
      await dialog.getByText("This job failed for good").waitFor({ timeout: 30_000 });
      await dialog.getByRole("table", { name: "Attempts" }).locator("tbody tr").nth(job.max_attempts - 1).waitFor();
      await dialog.locator(".code-block").first().getByText(/language model/).waitFor();
      await dialog.getByRole("button", { name: "Replay" }).waitFor();
      if (await dialog.getByRole("button", { name: "Retry now" }).count()) throw new Error("a dead job offers Retry now");
      await dialog.getByRole("table", { name: "Attempts" }).scrollIntoViewIfNeeded();
      await recorder.shot(busy, "job-dead", { fullPage: false });
      await axe(busy, "job-dead");
      const caption = JSON.parse((await api(busy, "GET", `/api/v1/captions/${failingCaption}`)).text);
      if (caption.status !== "failed") throw new Error(`the dead job's caption is ${caption.status}, not failed`);

      // At phone width, the dead job's attempts and the list are cards.
      await busy.setViewportSize({ width: 390, height: 844 });
      await assertFitsPhone(busy, "a dead job's detail");
      await dialog.getByRole("table", { name: "Attempts" }).locator("tbody tr").last().scrollIntoViewIfNeeded();
      await recorder.shot(busy, "phone-job-dead", { fullPage: false });
      await dialog.getByRole("button", { name: "Close" }).last().click();
      await busy.getByRole("table", { name: "All jobs" }).locator("tbody tr").filter({ hasText: `#${jobId} ·` }).getByText("Failed", { exact: true }).waitFor();
      await assertFitsPhone(busy, "/jobs with a dead job");
      await recorder.shot(busy, "phone-jobs-dead");
      await axe(busy, "phone-jobs-dead");
    } finally {
      await busy?.context().close();
      const code = await busyServer.stop();
      await busyLlm.stop();
      if (code !== 0) throw new Error(`the second server exited with ${code}:\n${busyServer.logs().stderr.slice(-4000)}`);
    }
  });
} catch {
  // The failing step has been reported; a screenshot of where it stopped helps.
  try {
    const pages = browser?.contexts().flatMap((c) => c.pages()) ?? [];
    for (const p of pages) await recorder.shot(p, "failure");
  } catch {
    // no page to show
  }
} finally {
  await browser?.close().catch(() => undefined);
  const code = await server?.stop();
  if (server && code !== 0) {
    results.push({ name: "server stops cleanly", ok: false, error: `exit status ${code}\n${server.logs().stderr}` });
    console.log(`FAIL server stops cleanly: exit status ${code}\n${server.logs().stderr.slice(-4000)}`);
  }
  await llm?.stop().catch(() => undefined);
  if (!args.keep) rmSync(work, { recursive: true, force: true });
  recorder.save("results.json", { seconds: Math.round((Date.now() - started) / 1000), results });
}

const passed = results.filter((r) => r.ok && !r.skipped).length;
const skipped = results.filter((r) => r.ok && r.skipped).length;
const failed = results.filter((r) => !r.ok).length;
console.log(`e2e: ${recorder.shots} screenshots and axe reports in ${args.artifacts}; ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
