/**
 * Device authorizations (RFC 8628): a device's request for access, waiting for its
 * user to type the user code on another screen and approve or deny. Both codes are
 * kept only as keyed hashes: the device code is the record's key, the user code
 * (normalised: upper case, no dashes) a unique index the verification page looks up.
 */

export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied';

/** Who approved, and what: filled in once the user says yes. */
export interface DeviceApproval {
  userId: string;
  /** The scopes approved (narrowed to what the user may delegate). */
  scopes: string[];
  authTime: number;
  /** How the user signed in on the verification page (RFC 8176 values), for the tokens' amr/acr. */
  amr?: string[];
  sid: string;
  grantId: string;
}

export interface DeviceAuthorization {
  deviceCodeHash: string;
  userCodeHash: string;
  clientId: string;
  /** The scopes asked for (already checked against the client). */
  scopes: string[];
  /** The API the access token will be for, if any. */
  api?: string;
  status: DeviceAuthorizationStatus;
  approval?: DeviceApproval;
  createdAt: number;
  expiresAt: number;
  /** Seconds the device must wait between polls; raised by each slow_down. */
  interval: number;
  lastPolledAt?: number;
}

export interface DeviceAuthorizationRepository {
  /** Stores a new one; false when its user code hash is taken by another (the caller draws a new code). */
  insertDeviceAuthorization(authorization: DeviceAuthorization): Promise<boolean>;
  /** The authorization with this user code, unless expired. */
  findDeviceAuthorizationByUserCode(userCodeHash: string, now: number): Promise<DeviceAuthorization | undefined>;
  /**
   * Approves or denies a pending, unexpired authorization; false if it is no longer
   * pending or has expired (one decision wins, however many race).
   */
  decideDeviceAuthorization(
    userCodeHash: string,
    decision: { status: 'approved'; approval: DeviceApproval } | { status: 'denied' },
    now: number,
  ): Promise<boolean>;
  /**
   * A poll by the device: returns the authorization as it was before this poll and
   * records the poll's time, atomically (concurrent polls see each other). When the
   * previous poll came less than `interval` seconds ago, the interval is raised by
   * `slowDownStep` (RFC 8628 §3.5 slow_down) and `tooFast` is true.
   */
  pollDeviceAuthorization(
    deviceCodeHash: string,
    now: number,
    slowDownStep: number,
  ): Promise<{ authorization: DeviceAuthorization; tooFast: boolean } | undefined>;
  /** Removes an approved authorization for its token exchange; true for exactly one caller. */
  consumeDeviceAuthorization(deviceCodeHash: string): Promise<boolean>;
  /** Removes one (denied and reported, say). */
  deleteDeviceAuthorization(deviceCodeHash: string): Promise<void>;
  /** Deletes those that expired before `before`; returns how many. */
  deleteExpiredDeviceAuthorizations(before: number): Promise<number>;
}
