/* sim_text.h — names and document numbers for the simulator (internal):
 * Vietnamese names as on the citizen ID card, foreigners' names in the Latin
 * form of their passports, passport numbers in each country's pattern. All
 * text is Unicode NFC, as the contract requires. */
#ifndef LT_SIM_TEXT_H
#define LT_SIM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "sim_world.h"

/* One of n strings, uniformly. */
const char *sim_pick(struct sim_rng *r, const char *const *list, size_t n);
#define SIM_PICK(r, arr) sim_pick((r), (arr), sizeof(arr) / sizeof((arr)[0]))

/* A Vietnamese full name ("Nguyễn Thị Thu Hà") into buf. */
void sim_vn_name(struct sim_rng *r, int male, char *buf, size_t n);

/* The nationalities of foreign workers in the province and their weights. */
size_t sim_nationality_count(void);
const char *sim_nationality_code(size_t i);
unsigned sim_nationality_weight(size_t i);
/* Index of a nationality code; 0 when unknown. */
size_t sim_nationality_index(const char *code);

/* A foreigner's name as printed in the passport of that nationality. */
void sim_foreign_name(struct sim_rng *r, const char *nationality, int male, char *buf, size_t n);

/* A passport number in the nationality's pattern, unique for each value of
 * `unique` below 10^7 (the digits encode it); other characters come from r. */
void sim_passport(const char *nationality, uint64_t unique, struct sim_rng *r, char *buf,
                  size_t n);

#endif
