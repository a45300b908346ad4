/**
 * Wire formats: flyweight views over a ByteBuf ({@code XxxHeader}) and records of the fields the stack
 * supports ({@code XxxRepr}). No protocol logic lives here.
 *
 * <p>The contract (after smoltcp's {@code wire} module):
 * <ul>
 * <li>A view reads and writes fields in place at absolute indexes ({@code off + FIELD}); it never moves the
 *     buffer's reader or writer index and never copies. Views are reusable: one instance per use site, rewrapped
 *     for every packet, so the data path allocates nothing.</li>
 * <li>{@code wrapUnchecked} trusts the caller; use it only to emit into a buffer sized by the caller.</li>
 * <li>{@code checkLen()} returns null once every getter is safe, else a short drop reason; each structural rule
 *     has its own reason. {@code wrapChecked} is {@code wrapUnchecked} followed by {@code checkLen}; never use it
 *     for emission. A setter that changes a length field invalidates an earlier {@code checkLen}.</li>
 * <li>{@code XxxRepr.parse(view)} judges semantics (versions, checksums, unsupported features) after a
 *     successful {@code checkLen} and throws a {@link io.tapvsock.stack.wire.WireException} naming the reason;
 *     it never throws anything else. {@code emit(view)} writes every field and never throws when the view wraps
 *     at least {@code headerLen()} bytes.</li>
 * <li>ByteBuf parameters are borrowed: not retained after return.</li>
 * </ul>
 */
package io.tapvsock.stack.wire;
