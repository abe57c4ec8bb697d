import { describe, expect, it } from 'vitest';
import type { SandboxDefaults } from '../../ipc/types';
import {
  AUTOTASK_FIELDS,
  CONNECTWISE_FIELDS,
  autotaskInput,
  connectwiseInput,
  emptyValues,
  fillEmpty,
  sandboxValues,
  timeZoneInput,
} from './inputs';

const defaults: SandboxDefaults = {
  connectwise_company: 'demo',
  connectwise_site: '127.0.0.1:47801',
  connectwise_public_key: 'pub',
  connectwise_private_key: 'priv',
  autotask_username: 'api@demo',
  autotask_secret: 's3cret',
  autotask_integration_code: 'CODE',
  autotask_zone_url: 'http://127.0.0.1:47802',
  autotask_time_zone: 'Pacific/Tongatapu',
  coro_region: 'http://127.0.0.1:47800',
  coro_client_id: 'cid',
  coro_client_secret: 'csecret',
  coro_channel: 'channel',
};

describe('form fields', () => {
  it('use the labels of the vendor guides', () => {
    expect(CONNECTWISE_FIELDS.map((f) => f.label)).toEqual([
      'Company name',
      'ConnectWise domain',
      'Public key',
      'Private key',
      'Integration clientId',
      'Name',
    ]);
    expect(AUTOTASK_FIELDS.map((f) => f.label)).toEqual([
      'User name',
      'Secret',
      'API tracking identifier',
      'Time zone',
      'Name',
      'Zone URL',
    ]);
  });
  it('mask the secrets and fold the zone URL away', () => {
    expect(CONNECTWISE_FIELDS.filter((f) => f.secret).map((f) => f.key)).toEqual(['private_key']);
    expect(AUTOTASK_FIELDS.filter((f) => f.secret).map((f) => f.key)).toEqual(['secret']);
    expect(AUTOTASK_FIELDS.filter((f) => f.advanced).map((f) => f.key)).toEqual(['zone_url']);
  });
});

describe('connectwiseInput', () => {
  it('trims and builds the command input, name optional', () => {
    const values = { ...emptyValues('connectwise'), company: ' contoso ', site: 'na.myconnectwise.net', public_key: 'p', private_key: 'k ', client_id: ' cid ' };
    expect(connectwiseInput(values)).toEqual({
      ok: true,
      input: { name: null, company: 'contoso', site: 'na.myconnectwise.net', public_key: 'p', private_key: 'k', client_id: 'cid' },
    });
  });
  it('names the first missing field', () => {
    const values = { ...emptyValues('connectwise'), company: 'contoso', site: '  ' };
    expect(connectwiseInput(values)).toEqual({ ok: false, message: 'Enter the ConnectWise domain.', field: 'site' });
  });
});

describe('autotaskInput', () => {
  it('sends an empty zone URL and time zone as null (the time zone then defaults to this computer’s)', () => {
    const values = { ...emptyValues('autotask'), username: 'u', secret: 's', integration_code: 'c', name: 'Main' };
    expect(autotaskInput(values)).toEqual({
      ok: true,
      input: { name: 'Main', username: 'u', secret: 's', integration_code: 'c', zone_url: null, time_zone: null },
    });
  });
  it('sends the time zone trimmed', () => {
    const values = { ...emptyValues('autotask'), username: 'u', secret: 's', integration_code: 'c', time_zone: ' Pacific/Auckland ' };
    expect(autotaskInput(values)).toMatchObject({ ok: true, input: { time_zone: 'Pacific/Auckland' } });
  });
  it('requires the tracking identifier', () => {
    const values = { ...emptyValues('autotask'), username: 'u', secret: 's' };
    expect(autotaskInput(values)).toMatchObject({ ok: false, field: 'integration_code' });
  });
});

describe('sandbox pre-fill', () => {
  it('maps the demo values onto each form', () => {
    expect(sandboxValues('connectwise', defaults)).toEqual({
      company: 'demo',
      site: '127.0.0.1:47801',
      public_key: 'pub',
      private_key: 'priv',
    });
    expect(sandboxValues('autotask', defaults).zone_url).toBe('http://127.0.0.1:47802');
    expect(sandboxValues('autotask', defaults).time_zone).toBe('Pacific/Tongatapu');
  });
  it('never overwrites what was typed', () => {
    expect(fillEmpty({ company: 'typed', site: '' }, { company: 'demo', site: 'host' })).toEqual({
      company: 'typed',
      site: 'host',
    });
  });
});

describe('timeZoneInput', () => {
  it('trims, and refuses an empty zone with an example', () => {
    expect(timeZoneInput(' Europe/London ')).toEqual({ ok: true, input: 'Europe/London' });
    expect(timeZoneInput('  ')).toEqual({ ok: false, message: 'Enter the time zone, e.g. America/New_York.', field: 'time_zone' });
  });
});
