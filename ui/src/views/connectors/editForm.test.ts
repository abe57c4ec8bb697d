import { describe, expect, it } from 'vitest';
import type { ConnectorSettings } from '../../ipc/types';
import { editFieldsOf, editRequest, editValues } from './editForm';

const CW: ConnectorSettings = {
  id: 1,
  kind: 'connectwise',
  name: 'Main',
  company: 'brightpath',
  site: 'na.myconnectwise.net',
  public_key: 'pub',
  client_id: 'cid',
  username: null,
  zone_url: null,
  time_zone: null,
};

const AT: ConnectorSettings = {
  ...CW,
  kind: 'autotask',
  company: null,
  site: null,
  public_key: null,
  client_id: null,
  username: 'api@x',
  zone_url: null,
  time_zone: 'America/New_York',
};

describe('edit connector form', () => {
  it('starts with the stored settings and empty secrets', () => {
    const v = editValues(CW);
    expect(v).toMatchObject({ name: 'Main', site: 'na.myconnectwise.net', private_key: '', client_id: 'cid' });
    expect(editFieldsOf('autotask').map((f) => f.key)).toContain('time_zone');
  });

  it('sends only what changed; empty secrets keep the stored ones', () => {
    const r = editRequest(CW, { ...editValues(CW), name: ' Renamed ', private_key: '' });
    expect(r.ok && r.input).toMatchObject({ name: 'Renamed', private_key: null, site: null, client_id: null });
    expect(r.changed).toBe(1);
    const rotated = editRequest(CW, { ...editValues(CW), private_key: 'new-key' });
    expect(rotated.ok && rotated.input.private_key).toBe('new-key');
    const at = editRequest(AT, { ...editValues(AT), time_zone: 'Pacific/Auckland', integration_code: '' });
    expect(at.ok && at.input).toMatchObject({ time_zone: 'Pacific/Auckland', integration_code: null, secret: null });
  });

  it('refuses an emptied required field by name', () => {
    const r = editRequest(CW, { ...editValues(CW), site: '  ' });
    expect(r).toMatchObject({ ok: false, field: 'site' });
    expect(editRequest(CW, editValues(CW)).changed).toBe(0);
  });
});
