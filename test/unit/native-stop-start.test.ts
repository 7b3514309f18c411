// `npm run native:stop` / `native:start` (the fault test's way to take a backend away): which names they accept.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { nativeServices } from '../../native/stop.ts';

test('native:stop/start refuse a name that is not a compose service, or not in the native lab', () => {
  assert.throws(() => nativeServices([]), /name at least one compose service/);
  assert.throws(() => nativeServices(['jaeger']), /jaeger: not a service of docker-compose\.yaml/);
  assert.throws(
    () => nativeServices(['jaeger-collector', 'grafana']),
    /grafana: not in the native lab \(.+\)/,
  );
  assert.throws(() => nativeServices(['k6']), /k6: not in the native lab/);
});
