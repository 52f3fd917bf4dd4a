package io.fieldcrypt.spi;

/** The life cycle of a stored data key. */
public enum DataKeyState {
    /** May still be chosen for new encryptions (until it reaches its maximum age or uses in the process using it). */
    ACTIVE,
    /** Never used for new encryptions; the re-encryption job moves values off it, after which it can be destroyed. */
    RETIRED
}
