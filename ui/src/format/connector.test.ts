import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../bindings/ConnectionStatus';
import type { LastSync } from '../bindings/LastSync';
import {
  connectorLabel,
  lastSyncText,
  mappingText,
  mappingTone,
  outcomeLabel,
  outcomeTone,
  psaName,
  psaShortName,
  statusDetail,
  statusText,
  statusTone,
  statusTooltip,
} from './connector';
import { formatTimestamp } from './time';

const utc = { locale: 'en-US', timeZone: 'UTC' };

describe('mappingText', () => {
  it('reads "Setup required" while nothing is mapped', () => {
    expect(mappingText({ mapped: 0, total: 12 })).toBe('Setup required');
    expect(mappingText({ mapped: 0, total: 0 })).toBe('Setup required');
  });
  it('reads "N of M mapped" once something is', () => {
    expect(mappingText({ mapped: 1, total: 12 })).toBe('1 of 12 mapped');
    expect(mappingText({ mapped: 1, total: 4 })).toBe('1 of 4 mapped');
    expect(mappingText({ mapped: 21, total: 21 })).toBe('21 of 21 mapped');
  });
});

describe('mappingTone', () => {
  it('warns, informs, then succeeds', () => {
    expect(mappingTone({ mapped: 0, total: 4 })).toBe('warning');
    expect(mappingTone({ mapped: 1, total: 4 })).toBe('info');
    expect(mappingTone({ mapped: 4, total: 4 })).toBe('success');
  });
});

describe('connectorLabel', () => {
  it('adds the PSA only when the name lacks it', () => {
    expect(connectorLabel({ name: 'ConnectWise (contoso)', kind: 'connectwise' })).toBe('ConnectWise (contoso)');
    expect(connectorLabel({ name: 'Main billing', kind: 'autotask' })).toBe('Main billing (Autotask)');
  });
});

describe('psaName', () => {
  it('names both PSAs as the vendor guides do', () => {
    expect(psaName('connectwise')).toBe('ConnectWise PSA');
    expect(psaName('autotask')).toBe('Autotask PSA');
    expect(psaShortName('connectwise')).toBe('ConnectWise');
    expect(psaShortName('autotask')).toBe('Autotask');
  });
});

describe('status', () => {
  const connected: ConnectionStatus = { state: 'connected', message: null, checked_at: '2025-03-04T06:00:00Z' };
  const failed: ConnectionStatus = { state: 'error', message: 'Public key rejected (401)', checked_at: null };
  const untested: ConnectionStatus = { state: 'untested', message: null, checked_at: null };

  it('has a label per state', () => {
    expect(statusText(connected)).toBe('Connected');
    expect(statusText(failed)).toBe('Connection failed');
    expect(statusText(untested)).toBe('Not tested');
  });
  it('has a tone per state', () => {
    expect(statusTone(connected)).toBe('success');
    expect(statusTone(failed)).toBe('danger');
    expect(statusTone(untested)).toBe('neutral');
  });
  it('shows the failure reason, with a fallback when the backend gave none', () => {
    expect(statusDetail(failed)).toBe('Public key rejected (401)');
    expect(statusDetail({ ...failed, message: '  ' })).toBe('The last connection check failed.');
    expect(statusDetail(connected)).toBeNull();
  });
  it('explains itself in a tooltip', () => {
    expect(statusTooltip(failed, utc)).toBe('Public key rejected (401)');
    expect(statusTooltip(connected, utc)).toBe('Checked Mar 4, 2025, 6:00 AM');
    expect(statusTooltip(untested, utc)).toBe('The credentials have not been checked yet.');
  });
});

describe('last sync', () => {
  const run: LastSync = {
    run_id: 9,
    started_at: '2025-03-04T06:00:00Z',
    outcome: 'succeeded',
    summary: '3 quantities changed',
  };

  it('reads "Never" without a run', () => expect(lastSyncText(null)).toBe('Never'));
  it('combines outcome and start time', () => {
    expect(lastSyncText(run, utc)).toBe('Succeeded · Mar 4, 2025, 6:00 AM');
    expect(lastSyncText({ ...run, outcome: 'held' }, utc)).toBe('Held for review · Mar 4, 2025, 6:00 AM');
  });
  it('labels unknown outcomes readably', () => {
    expect(outcomeLabel('rolled_back')).toBe('Rolled back');
    expect(outcomeLabel('')).toBe('Unknown');
    expect(outcomeTone('rolled_back')).toBe('neutral');
    expect(outcomeTone('failed')).toBe('danger');
  });
});

describe('formatTimestamp', () => {
  it('formats in the given zone', () => {
    expect(formatTimestamp('2025-12-31T23:30:00Z', utc)).toBe('Dec 31, 2025, 11:30 PM');
  });
  it('returns unparsable input unchanged', () => {
    expect(formatTimestamp('yesterday', utc)).toBe('yesterday');
  });
});
