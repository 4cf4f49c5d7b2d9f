/* placeholder until the module lands */
typedef int jfts_placeholder_t;
