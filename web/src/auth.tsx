import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, ApiError } from "./api/client";
import { keys } from "./api/hooks";
import type { Action, LoginRequest, Me, SignedIn } from "./api/types";
import { can as canDo } from "./lib/permissions";

interface Auth {
  /** undefined while loading (or when /api/v1/me failed), null when signed out. */
  me: Me | null | undefined;
  status: "loading" | "error" | "ready";
  error: unknown;
  /** True after the user signed out here (the sign-in page then starts afresh, not "back to" a page). */
  signedOutByUser: boolean;
  can: (action: Action) => boolean;
  /** Signs in (cookie mode); throws the ApiError of a refusal (mfa-required, tenant-choice-required, ...). */
  signIn: (request: Omit<LoginRequest, "mode">) => Promise<SignedIn>;
  /** Re-reads /api/v1/me (after a sign-in, a role change, a tenant switch). */
  reload: () => Promise<void>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

// Bumped when the user signs out: an answer to /api/v1/me that was already on its way (a refetch on
// window focus, say) must not bring the ended session back into the cache.
let signOutEpoch = 0;

async function fetchMe(): Promise<Me | null> {
  const epoch = signOutEpoch;
  try {
    const me = await api.get<Me>("/api/v1/me");
    return epoch === signOutEpoch ? me : null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: keys.me, queryFn: fetchMe, staleTime: 60_000, retry: 1 });
  const [signedOutByUser, setSignedOutByUser] = useState(false);

  useEffect(() => {
    api.setSessionLostHandler(() => {
      // Everything cached belonged to the session that ended.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
      queryClient.setQueryData(keys.me, null);
    });
    return () => api.setSessionLostHandler(undefined);
  }, [queryClient]);

  const reload = useCallback(async () => {
    await queryClient.invalidateQueries({ queryKey: keys.me, refetchType: "active" });
    await queryClient.refetchQueries({ queryKey: keys.me });
  }, [queryClient]);

  const signIn = useCallback(
    async (request: Omit<LoginRequest, "mode">) => {
      const signedIn = await api.post<SignedIn>("/api/v1/auth/login", { ...request, mode: "cookie" });
      setSignedOutByUser(false);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
      await reload();
      return signedIn;
    },
    [queryClient, reload],
  );

  const signOut = useCallback(async () => {
    setSignedOutByUser(true);
    signOutEpoch += 1;
    await queryClient.cancelQueries();
    try {
      await api.post("/api/v1/auth/logout");
    } finally {
      signOutEpoch += 1;
      await queryClient.cancelQueries();
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
      queryClient.setQueryData(keys.me, null);
    }
  }, [queryClient]);

  const me = query.isSuccess ? query.data : undefined;
  const status = query.isSuccess ? "ready" : query.isError ? "error" : "loading";
  const error = query.error;
  const value = useMemo<Auth>(
    () => ({ me, status, error, signedOutByUser, can: (action) => canDo(me, action), signIn, reload, signOut }),
    [me, status, error, signedOutByUser, signIn, reload, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The signed-in principal; only for pages under the signed-in layout. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error("useMe without a session");
  return me;
}
