import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useCategories } from "../../api/hooks";
import type { MediaCategory } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { ErrorMessage } from "../../components/ErrorMessage";
import { TextInput } from "../../components/form";
import { Button, IconButton } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { fieldErrorsUnder } from "../../lib/errors";
import { useCategoryLabel } from "../../lib/categories";

/** "Behind the scenes" -> "behind_the_scenes": the machine name the API wants. */
export function slugify(label: string): string {
  return label
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40);
}

export function CategoriesDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const categories = useCategories();
  const queryClient = useQueryClient();
  const categoryLabel = useCategoryLabel();
  const [label, setLabel] = useState("");
  const add = useMutation({
    mutationFn: () => api.post<MediaCategory>("/api/v1/media/categories", { name: slugify(label), label: label.trim() }),
    onSuccess: () => {
      setLabel("");
      void queryClient.invalidateQueries({ queryKey: keys.categories });
    },
  });
  const remove = useMutation({
    mutationFn: (name: string) => api.delete(`/api/v1/media/categories/${encodeURIComponent(name)}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.categories }),
  });
  const fields = fieldErrorsUnder(add.error);
  return (
    <Dialog open onClose={onClose} title={t("categories.title")} description={t("categories.help")} footer={<Button onClick={onClose}>{t("common.done")}</Button>}>
      <ul className="simple-list">
        {(categories.data ?? []).map((c) => (
          <li key={c.name}>
            <span>{categoryLabel(c)}</span>
            <code className="muted">{c.name}</code>
            <IconButton icon="trash" label={t("categories.remove", { label: categoryLabel(c) })} onClick={() => remove.mutate(c.name)} />
          </li>
        ))}
      </ul>
      {remove.error && <ErrorMessage error={remove.error} compact />}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          e.stopPropagation();
          if (slugify(label)) add.mutate();
        }}
      >
        <TextInput label={t("categories.new")} value={label} onChange={(e) => setLabel(e.target.value)} maxLength={60} error={fields.get("name") ?? fields.get("label")} />
        <Button type="submit" icon="plus" busy={add.isPending} disabled={!slugify(label)}>
          {t("common.add")}
        </Button>
      </form>
      {add.error && !fields.size && <ErrorMessage error={add.error} compact />}
    </Dialog>
  );
}
