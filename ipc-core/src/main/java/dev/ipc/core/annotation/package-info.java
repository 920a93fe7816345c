/**
 * Optional annotations on a plain service interface, overriding the wire names derived from its
 * Java names. A service needs none of them.
 */
package dev.ipc.core.annotation;
