/**
 * Errors raised by the node and its models. Each class's `name` equals the
 * class name so callers (and the API's status table) match on `.name`,
 * never on the message.
 */

export class InvalidCIDError extends Error {
  static name = 'InvalidCIDError'
  name = 'InvalidCIDError'
}

export class UnsupportedCodecError extends Error {
  static name = 'UnsupportedCodecError'
  name = 'UnsupportedCodecError'
}

export class InvalidParametersError extends Error {
  static name = 'InvalidParametersError'
  name = 'InvalidParametersError'
}

/** The content (a block, a DAG, a path in it) is not available to this node. */
export class ContentNotFoundError extends Error {
  static name = 'ContentNotFoundError'
  name = 'ContentNotFoundError'
}

export class PathNotFoundError extends Error {
  static name = 'PathNotFoundError'
  name = 'PathNotFoundError'
}

export class NotPinnedError extends Error {
  static name = 'NotPinnedError'
  name = 'NotPinnedError'
}

export class BlockTooLargeError extends Error {
  static name = 'BlockTooLargeError'
  name = 'BlockTooLargeError'
}

export class DeadlineExceededError extends Error {
  static name = 'DeadlineExceededError'
  name = 'DeadlineExceededError'
}

export class RangeNotSatisfiableError extends Error {
  static name = 'RangeNotSatisfiableError'
  name = 'RangeNotSatisfiableError'
}

export class PayloadTooLargeError extends Error {
  static name = 'PayloadTooLargeError'
  name = 'PayloadTooLargeError'
}

export class AlreadyExistsError extends Error {
  static name = 'AlreadyExistsError'
  name = 'AlreadyExistsError'
}

export class NotADirectoryError extends Error {
  static name = 'NotADirectoryError'
  name = 'NotADirectoryError'
}

export class NotAFileError extends Error {
  static name = 'NotAFileError'
  name = 'NotAFileError'
}

export class DirectoryNotEmptyError extends Error {
  static name = 'DirectoryNotEmptyError'
  name = 'DirectoryNotEmptyError'
}

export class InvalidPathError extends Error {
  static name = 'InvalidPathError'
  name = 'InvalidPathError'
}

/** A peer could not be reached: no address worked, or every dial failed. */
export class PeerUnreachableError extends Error {
  static name = 'PeerUnreachableError'
  name = 'PeerUnreachableError'
}

/** The operation needs the network, and the node has no connection. */
export class NetworkUnavailableError extends Error {
  static name = 'NetworkUnavailableError'
  name = 'NetworkUnavailableError'
}

/** No record, key or provider was found for a name. */
export class NameNotFoundError extends Error {
  static name = 'NameNotFoundError'
  name = 'NameNotFoundError'
}

export class KeyNotFoundError extends Error {
  static name = 'KeyNotFoundError'
  name = 'KeyNotFoundError'
}

export class SessionNotFoundError extends Error {
  static name = 'SessionNotFoundError'
  name = 'SessionNotFoundError'
}

/** The CID cache holds no record for this CID. */
export class RecordNotFoundError extends Error {
  static name = 'RecordNotFoundError'
  name = 'RecordNotFoundError'
}

/** The content is larger than the memory tier can hold. */
export class TierCapacityError extends Error {
  static name = 'TierCapacityError'
  name = 'TierCapacityError'
}

/** No credential under this service and name. */
export class CredentialNotFoundError extends Error {
  static name = 'CredentialNotFoundError'
  name = 'CredentialNotFoundError'
}

/** The credential store is locked by a passphrase: unlock it first. */
export class CredentialsLockedError extends Error {
  static name = 'CredentialsLockedError'
  name = 'CredentialsLockedError'
}

/** A stored credential did not decrypt: it was altered, or moved under another name. */
export class CredentialIntegrityError extends Error {
  static name = 'CredentialIntegrityError'
  name = 'CredentialIntegrityError'
}

/** The passphrase given does not unlock the store. */
export class WrongPassphraseError extends Error {
  static name = 'WrongPassphraseError'
  name = 'WrongPassphraseError'
}

/** The node's network (libp2p) failed to start: the node works offline only. */
export class NetworkStartError extends Error {
  static name = 'NetworkStartError'
  name = 'NetworkStartError'
}

/** The browser refused a write for want of room: this site's storage quota (or the disk) is full. */
export class StorageFullError extends Error {
  static name = 'StorageFullError'
  name = 'StorageFullError'
}
