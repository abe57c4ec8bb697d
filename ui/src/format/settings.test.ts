import { describe, expect, it } from 'vitest';
import { coroStatusText, formOf, normaliseTime, percentText, regionChoice, regionValue, settingsOf, shareOf } from './settings';

describe('regions', () => {
  it('reads named regions and URLs back', () => {
    expect(regionChoice('eu')).toEqual({ choice: 'eu', url: '' });
    expect(regionChoice('US')).toEqual({ choice: 'us', url: '' });
    expect(regionChoice('http://127.0.0.1:47800')).toEqual({ choice: 'custom', url: 'http://127.0.0.1:47800' });
    expect(regionChoice(null, 'https://coro.example')).toEqual({ choice: 'custom', url: 'https://coro.example' });
    expect(regionChoice(null)).toEqual({ choice: 'us', url: '' });
  });
  it('sends the region code or the custom URL', () => {
    expect(regionValue('ca', 'ignored')).toBe('ca');
    expect(regionValue('custom', ' http://localhost:1 ')).toBe('http://localhost:1');
  });
});

describe('time', () => {
  it('accepts 24 h times and pads the hour', () => {
    expect(normaliseTime('06:00')).toBe('06:00');
    expect(normaliseTime(' 6:30 ')).toBe('06:30');
    expect(normaliseTime('23:59')).toBe('23:59');
  });
  it('refuses anything else', () => {
    for (const bad of ['24:00', '12:60', '6', '6:5', 'noon', '06:00:00', '']) expect(normaliseTime(bad)).toBeNull();
  });
});

describe('decrease limit', () => {
  it('converts between share and percent', () => {
    expect(percentText(0.5)).toBe('50');
    expect(percentText(0.125)).toBe('12.5');
    expect(shareOf('50')).toBe(0.5);
    expect(shareOf('12.5 %')).toBe(0.125);
    expect(shareOf('0')).toBe(0);
    expect(shareOf('100')).toBe(1);
  });
  it('refuses values outside 0–100', () => {
    for (const bad of ['101', '-5', 'half', '']) expect(shareOf(bad)).toBeNull();
  });
});

describe('settingsOf', () => {
  const saved = {
    connectwise_client_id: null,
    daily_sync_time: '06:00',
    daily_sync_paused: false,
    notify_success: true,
    max_decrease_share: 0.3,
    max_increase_factor: 2,
    min_increase_units: 10,
  };
  it('round-trips what the backend sent', () => {
    expect(settingsOf(formOf(saved))).toEqual({ ok: true, settings: saved });
  });
  it('trims the client id, empty is null', () => {
    const form = { ...formOf(saved), clientId: '  abc-123 ' };
    expect(settingsOf(form)).toMatchObject({ ok: true, settings: { connectwise_client_id: 'abc-123' } });
  });
  it('names the field that is wrong', () => {
    expect(settingsOf({ ...formOf(saved), time: '25:00' })).toMatchObject({ ok: false, field: 'time' });
    expect(settingsOf({ ...formOf(saved), maxDecreasePercent: '150' })).toMatchObject({ ok: false, field: 'maxDecreasePercent' });
    expect(settingsOf({ ...formOf(saved), maxIncreaseFactor: '0.5' })).toMatchObject({ ok: false, field: 'maxIncreaseFactor' });
    expect(settingsOf({ ...formOf(saved), minIncreaseUnits: '-3' })).toMatchObject({ ok: false, field: 'minIncreaseUnits' });
  });
  it('reads the increase limits as typed', () => {
    expect(settingsOf({ ...formOf(saved), maxIncreaseFactor: '2,5×', minIncreaseUnits: ' 25 ' })).toMatchObject({
      ok: true,
      settings: { max_increase_factor: 2.5, min_increase_units: 25 },
    });
  });
});

describe('coroStatusText', () => {
  const base = { connected: true, region: 'us', base_url: null, client_id: 'x', channel: 'ch_1', channel_name: 'Acme MSP' };
  it('names the channel', () => {
    expect(coroStatusText(base)).toBe('Connected to Acme MSP (ch_1)');
    expect(coroStatusText({ ...base, channel_name: null })).toBe('Connected to ch_1');
    expect(coroStatusText({ ...base, connected: false })).toBe('Not connected');
    expect(coroStatusText(null)).toBe('Checking…');
  });
});
