/** JSON-RPC errors a Substrate node returns, with the same codes and texts. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

/** Transaction validity errors (author_submitExtrinsic), as the transaction pool reports them. */
export const invalidTransaction = {
  badProof: () => new RpcError(1010, 'Invalid Transaction', 'Transaction has a bad signature'),
  stale: () => new RpcError(1010, 'Invalid Transaction', 'Transaction is outdated'),
  payment: () =>
    new RpcError(
      1010,
      'Invalid Transaction',
      'Inability to pay some fees (e.g. account balance too low)',
    ),
  ancientBirthBlock: () =>
    new RpcError(1010, 'Invalid Transaction', 'Transaction has an ancient birth block'),
  call: () => new RpcError(1010, 'Invalid Transaction', 'Transaction call is not expected'),
  custom: (code: number) => new RpcError(1010, 'Invalid Transaction', `Custom error: ${code}`),
  alreadyImported: () =>
    new RpcError(1013, 'Transaction Already Imported', 'Transaction Already Imported'),
  priorityTooLow: () => new RpcError(1014, 'Priority is too low', 'Priority is too low: (0 vs 0)'),
};

/** Subtensor's CustomTransactionError codes (docs/chain-facts.md). */
export const CUSTOM = {
  StakeAmountTooLow: 1,
  RateLimitExceeded: 6,
  InvalidRevealRound: 15,
  CommitNotFound: 16,
  CommitBlockNotInRevealRange: 17,
  InputLengthsUnequal: 18,
  BadRequest: 255,
} as const;
