/**
 * fieldcrypt for Spring Data JPA repositories: {@link io.fieldcrypt.springdata.BlindIndexRepositories} answers
 * derived queries on truncated blind indexes with the rows whose encrypted source matches.
 */
package io.fieldcrypt.springdata;
