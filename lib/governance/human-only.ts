import { CooError } from '../core/coo-error.js';

// What only a person does: approve, veto, change the protected registry, start a mission. Those
// commands refuse to run where a mission runs (its environment names the mission).

export function ensureNotInMission(env: Readonly<Record<string, string | undefined>>, action: string): void {
  const mission = env['COO_MISSION_ID'];
  if (mission)
    throw new CooError('E_IN_MISSION', `${action} is a human action and mission ${mission} is running here`, {
      mission,
      action,
    });
}
