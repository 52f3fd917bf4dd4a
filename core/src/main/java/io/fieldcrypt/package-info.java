/**
 * fieldcrypt's core: envelope encryption of individual values with AES-256-GCM under data keys from a key
 * provider, each value bound to its entity, column and row id. Start at {@link io.fieldcrypt.FieldEncryptor}; the
 * built-in key providers and data key table come from {@link io.fieldcrypt.KeyProviders} and
 * {@link io.fieldcrypt.DataKeyStores}. Every exception is a {@link io.fieldcrypt.FieldCryptException}.
 */
package io.fieldcrypt;
