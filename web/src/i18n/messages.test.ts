import { describe, expect, it } from "vitest";
import { en } from "./en";
import { fr } from "./fr";
import { interpolate, pickLocale, translate, translatePlural } from "./messages";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the message catalogues", () => {
  it("have the same keys in English and French", () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it("have no empty message", () => {
    for (const [key, text] of [...Object.entries(en), ...Object.entries(fr)]) expect(text.trim(), key).not.toBe("");
  });

  it("use the same placeholders in both languages", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("come in _one/_other pairs for plurals", () => {
    for (const key of Object.keys(en)) {
      if (key.endsWith("_one")) expect(Object.keys(en)).toContain(key.replace(/_one$/, "_other"));
    }
  });

  it("write French with its typography: no plain space before : ; ! ?", () => {
    for (const [key, text] of Object.entries(fr)) {
      expect(text, key).not.toMatch(/ [:;!?](\s|$)/);
    }
  });

  it("translate most of the interface (a French message equal to the English one is rare)", () => {
    const same = Object.keys(en).filter((k) => fr[k as keyof typeof en] === en[k as keyof typeof en]);
    expect(same.length / Object.keys(en).length).toBeLessThan(0.1);
  });
});

describe("translate", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(interpolate("Hello {name}, {missing}", { name: "Léa" })).toBe("Hello Léa, {missing}");
    expect(translate("fr", "activate.done", { name: "Luna" })).toBe("Luna est maintenant actif.");
  });

  it("picks the plural form of each language", () => {
    expect(translatePlural("en", "media.variants", 1)).toBe("1 variant");
    expect(translatePlural("en", "media.variants", 7)).toBe("7 variants");
    expect(translatePlural("fr", "media.variants", 0)).toBe("0 déclinaison");
    expect(translatePlural("fr", "media.variants", 2)).toBe("2 déclinaisons");
  });
});

describe("pickLocale", () => {
  it("prefers the saved choice, then the browser's languages, then English", () => {
    expect(pickLocale("fr", ["en-US"])).toBe("fr");
    expect(pickLocale(null, ["de-DE", "fr-CA", "en"])).toBe("fr");
    expect(pickLocale("xx", ["es"])).toBe("en");
  });
});
