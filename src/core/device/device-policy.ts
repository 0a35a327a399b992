/** How long device codes live and how often devices may poll (RFC 8628 §3.2, §3.5). */
export interface DevicePolicy {
  /** Seconds a device code and its user code stay valid (`expires_in`). */
  codeTtl: number;
  /** Seconds a device must wait between polls (`interval`). */
  interval: number;
}

export const DEFAULT_DEVICE_POLICY: DevicePolicy = { codeTtl: 600, interval: 5 };

/** Seconds added to the interval at each slow_down (RFC 8628 §3.5). */
export const SLOW_DOWN_STEP = 5;

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
