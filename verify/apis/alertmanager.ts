// Alertmanager's HTTP API v2 (/api/v2/alerts): the alerts it holds, as its OpenAPI spec (api/v2/openapi.yaml of
// v0.35) shapes them. The parser is pure.
import { apiUrl, getJson } from '../http.ts';
import { asArray, asRecord, asString, isRecord, parsed } from './json.ts';

/** An alert Alertmanager holds; `state` is active, suppressed (silenced or inhibited) or unprocessed. */
export interface ManagedAlert {
  labels: Record<string, string>;
  state: string;
}

/** /api/v2/alerts -> its alerts (resolved ones are gone from it). */
export function parseManagedAlerts(body: unknown): ManagedAlert[] {
  return asArray(body, 'alerts').map((item) => {
    const alert = asRecord(item, 'alert');
    const labels = isRecord(alert.labels) ? alert.labels : {};
    return {
      labels: Object.fromEntries(
        Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
      state: asString(asRecord(alert.status, 'alert status').state, 'alert state'),
    };
  });
}

export async function managedAlerts(base: string): Promise<ManagedAlert[]> {
  const url = apiUrl(base, '/api/v2/alerts');
  return parsed(url, await getJson(url), parseManagedAlerts);
}
