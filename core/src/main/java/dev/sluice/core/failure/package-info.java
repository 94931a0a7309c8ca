/**
 * How a failure of user code travels through the engine: the unchecked carrier of a user
 * function's checked exception, wrapped where engine code cannot declare it and unwrapped by the
 * scheduler so that callers see the user's own exception as the cause. A leaf: it depends on no
 * other package of the engine.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.failure;
