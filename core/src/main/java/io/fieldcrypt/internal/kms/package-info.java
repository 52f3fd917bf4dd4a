/**
 * The built-in key providers (AWS KMS and local). Internal: no compatibility promise; use
 * {@link io.fieldcrypt.KeyProviders}.
 */
package io.fieldcrypt.internal.kms;
