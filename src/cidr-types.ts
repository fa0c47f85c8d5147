/** The two address families an allowlist may hold. */
export type IpVersion = 4 | 6

/**
 * A network block: `network` has every host bit cleared, so two equal blocks
 * always compare equal field by field.
 */
export interface Cidr {
  readonly version: IpVersion
  readonly network: bigint
  readonly prefix: number
}

/** A single address, as an unsigned integer of 32 or 128 bits. */
export interface Address {
  readonly version: IpVersion
  readonly value: bigint
}

/**
 * The result of reading one CIDR from text.
 *
 * On failure `reason` is a lower-case phrase that reads after
 * `invalid CIDR "TEXT": `, `fix` an imperative phrase that tells how to write
 * it instead, and `hostBits` is present when the only fault is that host bits
 * are set, carrying both forms the author may have meant.
 */
export type CidrParse =
  | { ok: true; cidr: Cidr; bare: boolean }
  | {
      ok: false
      reason: string
      fix?: string
      hostBits?: { network: Cidr; address: Cidr }
    }

/** Address width in bits, per version. */
export const ADDRESS_BITS: Readonly<Record<IpVersion, number>> = {
  4: 32,
  6: 128
}
