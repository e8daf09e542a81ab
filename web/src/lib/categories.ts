import { useCallback } from "react";
import { useI18n } from "../i18n/I18nProvider";

/** The categories the server seeds in every vault, with their English labels. */
export const SEEDED_CATEGORIES = {
  portrait: "Portrait",
  lifestyle: "Lifestyle",
  fitness: "Fitness",
  swimwear: "Swimwear",
  lingerie: "Lingerie",
  feet: "Feet",
  artistic_nude: "Artistic nude",
  cosplay: "Cosplay",
  behind_the_scenes: "Behind the scenes",
} as const;

type Seeded = keyof typeof SEEDED_CATEGORIES;

/**
 * A category's label in the user's language: the seeded categories (still labelled as seeded)
 * are translated; a category an agency named itself keeps its own label.
 */
export function useCategoryLabel() {
  const { t } = useI18n();
  return useCallback((category: { name: string; label: string } | undefined | null, fallback?: string | null): string => {
    if (!category) return fallback ?? "";
    const name = category.name as Seeded;
    if (Object.prototype.hasOwnProperty.call(SEEDED_CATEGORIES, name) && SEEDED_CATEGORIES[name] === category.label) {
      return t(`category.${name}`);
    }
    return category.label;
  }, [t]);
}
