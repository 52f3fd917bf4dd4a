/**
 * The sample application: a small clinic whose patients' personal data is encrypted with fieldcrypt, driven by the
 * commands of {@link io.fieldcrypt.sample.SampleApp}.
 */
package io.fieldcrypt.sample;
