// The plumbing of the dashboard's end-to-end run: a throwaway Personae server, accounts made with
// the CLI, Chromium driven by playwright-core, screenshots and axe-core checks.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export function parseArgs(argv) {
  const args = { binary: null, repo: null, artifacts: null, llmSimulator: null, build: true, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--binary") args.binary = argv[++i];
    else if (a === "--repo") args.repo = argv[++i];
    else if (a === "--artifacts") args.artifacts = argv[++i];
    else if (a === "--llm-simulator") args.llmSimulator = argv[++i];
    else if (a === "--no-build") args.build = false;
    else if (a === "--keep") args.keep = true;
    else throw new Error(`unknown argument ${a}`);
  }
  const usage = "usage: run.mjs --binary PATH --repo PATH [--llm-simulator PATH] [--artifacts DIR] [--no-build] [--keep]";
  if (!args.binary || !args.repo) throw new Error(usage);
  args.binary = resolve(args.binary);
  args.repo = resolve(args.repo);
  // The simulator is built beside the server (tests/fakes/personae_llm_simulator in the build folder).
  args.llmSimulator = resolve(args.llmSimulator ?? join(dirname(args.binary), "tests", "fakes", "personae_llm_simulator"));
  args.artifacts = resolve(args.artifacts ?? join(args.repo, "build", "e2e-artifacts"));
  return args;
}

/** Modules of the dashboard's own lock file (web/package-lock.json): one set of pinned versions. */
export function webRequire(repo) {
  return createRequire(join(repo, "web", "package.json"));
}

export function buildDashboard(repo) {
  const result = spawnSync(join(repo, "scripts", "build-web"), [], { cwd: repo, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`scripts/build-web failed (exit ${result.status})`);
}

export function runCli(binary, dataDir, args, input) {
  const result = spawnSync(binary, [...args, "--data-dir", dataDir, "--log-level", "warn"], {
    input: input ?? "",
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(`personae ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Starts `personae serve` on a free port; resolves when the banner names it and /ready answers. */
export async function startServer({ binary, repo, dataDir, env = {} }) {
  const child = spawn(binary, ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn"], {
    cwd: dataDir,
    env: { ...process.env, PERSONAE_SERVER_DASHBOARD_DIR: join(repo, "web", "dist"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`personae serve did not start:\n${stdout}\n${stderr}`)), 90_000);
    child.stdout.on("data", (d) => {
      stdout += d;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`personae serve exited (${code}):\n${stdout}\n${stderr}`));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/ready`)).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`personae serve never became ready:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    logs: () => ({ stdout, stderr }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.on("exit", (code) => {
          clearTimeout(kill);
          resolve(code);
        });
        child.kill("SIGTERM");
      }),
  };
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * Debian's Chromium (never a browser a tool downloads). playwright-core gives each launch a new,
 * empty profile folder (--user-data-dir) of its own and removes it afterwards.
 */
export async function launchChromium(require) {
  const { chromium } = require("playwright-core");
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** A page that records what must never happen: script errors and Content-Security-Policy refusals. */
export function watchPage(page, problems) {
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to (apply|execute|load)/i.test(text)) problems.push(`CSP: ${text}`);
    else if (message.type() === "error" && !/Failed to load resource/.test(text)) problems.push(`console error: ${text}`);
  });
}

export class Recorder {
  constructor(artifacts) {
    this.artifacts = artifacts;
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(join(artifacts, "screenshots"), { recursive: true });
    mkdirSync(join(artifacts, "axe"), { recursive: true });
    this.results = [];
    this.shots = 0;
  }

  async shot(page, name, options = {}) {
    this.shots += 1;
    const file = join(this.artifacts, "screenshots", `${String(this.shots).padStart(2, "0")}-${name}.png`);
    const fullPage = options.fullPage ?? true;
    // A full-page picture starts from the top (sticky bars would otherwise be drawn mid-page).
    if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: file, fullPage, animations: "disabled" });
    return file;
  }

  save(name, data) {
    writeFileSync(join(this.artifacts, name), typeof data === "string" ? data : JSON.stringify(data, null, 2));
  }
}

/**
 * axe-core, evaluated in the page through the DevTools protocol (so the page's own CSP, which
 * the run keeps on, does not block it); fails on any serious or critical violation.
 */
export function makeAxe(require, recorder) {
  const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  return async function axeCheck(page, name) {
    await page.evaluate(source);
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
    });
    recorder.save(join("axe", `${name}.json`), result);
    const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
    if (bad.length) {
      throw new Error(`axe: ${bad.length} serious/critical violation(s) on ${name}:\n` + bad.map((v) => `  ${v.impact} ${v.id}: ${v.help} [${v.nodes.join(", ")}]`).join("\n"));
    }
    return result;
  };
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The language-model server the run points Personae at: the project's simulator
 * (personae_llm_simulator, Ollama protocol) answering every structured request with `structured`
 * (the caption JSON), each piece after `tokenDelayMs` (a model that takes a moment, so that the
 * page's progress can be seen). `fault` is one of the simulator's --fault values (http-429: every
 * generation is refused with "429 Too Many Requests, Retry-After: 7", while the model list answers).
 */
export async function startLlm({ simulator, model, reply, structured, tokenDelayMs = 0, fault = null }) {
  if (!simulator || !existsSync(simulator)) {
    throw new Error(`the LLM simulator ${simulator} is missing: build personae_llm_simulator (tests/fakes)`);
  }
  {
    const faultArgs = fault ? ["--fault", fault] : [];
    const child = spawn(simulator, ["--protocol", "ollama", "--model", model, "--reply", reply, "--structured-reply", structured, "--token-delay-ms", String(tokenDelayMs), ...faultArgs], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stderr.on("data", (d) => (output += d));
    const url = await new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`the LLM simulator did not start:\n${output}`)), 30_000);
      child.stdout.on("data", (d) => {
        output += d;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolvePromise(match[1]);
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the LLM simulator exited (${code}):\n${output}`));
      });
    });
    return {
      url,
      kind: "personae_llm_simulator",
      stop: () =>
        new Promise((resolvePromise) => {
          if (child.exitCode !== null) return resolvePromise(child.exitCode);
          child.on("exit", (code) => resolvePromise(code));
          child.kill("SIGTERM");
        }),
    };
  }
}
