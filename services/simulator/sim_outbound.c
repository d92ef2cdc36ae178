/* sim_outbound.c — Quảng Nam citizens going abroad to work on contract.
 *
 * One actor per citizen (subject: the 12-digit personal ID, born mostly in
 * Quảng Nam, province code 049, with the century/sex digit and birth year
 * matching the person): registration at the district (before 2025-07-01) or
 * ward, or at the labour department; an identity check by police against the
 * population database; a language course and often a vocational one at a
 * vocational school; a contract through a licensed service enterprise (Korea
 * EPS through the public Centre of Overseas Labour); a Social Policy Bank
 * loan (more often for priority groups; at most VND 100 million) repaid
 * every six months while abroad; support payments for priority groups
 * (ethnic affairs, labour); the compulsory orientation course; departure;
 * sometimes a citizen-protection case abroad (foreign affairs); contract end
 * (completed or early); return; re-employment support. Markets: Japan and
 * Korea first, Taiwan, then Germany and Canada (growing each year) and a few
 * others. Some registrants drop out at each stage. Messy cases: departure
 * with no registered contract, and a contract that ended with no return. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim_text.h"
#include "sim_world.h"

enum { P_ARRIVE = 1, P_ATTR, P_PLAN, P_LATE, P_TEXT };

/* ---- tables --------------------------------------------------------------- */

struct job {
    const char *title;
    const char *occupation; /* VSCO */
    const char *course;     /* vocational course, NULL when none is usual */
};

static const struct job jobs[] = {
    { "Thợ hàn", "7212", "Hàn điện cơ bản" },                                     /* 0 */
    { "Công nhân chế biến thực phẩm", "7514", "Chế biến thực phẩm" },             /* 1 */
    { "Hộ lý chăm sóc người cao tuổi", "5322", "Chăm sóc người cao tuổi" },       /* 2 */
    { "Công nhân xây dựng", "9313", "Kỹ thuật xây dựng" },                        /* 3 */
    { "Công nhân nông nghiệp", "9211", NULL },                                    /* 4 */
    { "Công nhân cơ khí", "7223", "Vận hành máy công cụ" },                       /* 5 */
    { "Công nhân lắp ráp điện tử", "8212", NULL },                                /* 6 */
    { "Điều dưỡng viên", "3221", "Điều dưỡng" },                                  /* 7 */
    { "Công nhân may công nghiệp", "7533", "May công nghiệp" },                   /* 8 */
    { "Thuyền viên tàu cá", "6222", NULL },                                       /* 9 */
};

struct market {
    const char *country;
    const char *currency;
    int minor_digits;               /* ISO 4217 exponent */
    unsigned weight;                /* in 2023; Germany and Canada grow */
    const char *language;           /* ISO 639-1 */
    const char *test;               /* LANGUAGE_TEST_* */
    const char *const levels[3];
    const char *course;
    int hours_min, hours_max, months_min, months_max;
    const char *const schemes[2];
    unsigned durations[4];          /* months; 0 ends the list */
    long salary_min, salary_max;    /* major units; 0: the yearly minimum wage below */
    int fee_min_m, fee_max_m;       /* service fee, millions of VND */
    int deposit_permille;
    int loan_max_m;                 /* at most 100 */
    int eps;                        /* through the public Centre of Overseas Labour */
    unsigned char jobs[4];
    const char *const employers[4];
    const char *const cities[4];
    const char *mission;
};

static const struct market markets[] = {
    { "JPN", "JPY", 0, 45, "ja", "LANGUAGE_TEST_JLPT", { "N5", "N4", "N5" }, "Tiếng Nhật sơ cấp",
      480, 720, 4, 6, { "TITP", "SSW" }, { 36, 36, 12, 60 }, 165000, 215000, 30, 45, 300, 100,
      0, { 1, 2, 3, 0 },
      { "Aichi Metal Works K.K.", "Shizuoka Foods Co., Ltd.", "Osaka Kensetsu K.K.",
        "Chiba Care Service K.K." },
      { "Nagoya", "Shizuoka", "Osaka", "Chiba" }, "Đại sứ quán Việt Nam tại Nhật Bản" },
    { "KOR", "KRW", 0, 22, "ko", "LANGUAGE_TEST_EPS_TOPIK", { "136", "152", "168" },
      "Tiếng Hàn ôn thi EPS-TOPIK", 300, 400, 2, 4, { "EPS E-9", "EPS E-9" }, { 36, 0, 0, 0 },
      0, 0, 0, 0, 0, 100, 1, { 5, 4, 9, 3 },
      { "Hanil Industrial Co., Ltd.", "Daejin Precision Co., Ltd.", "Seoul Agro Farm",
        "Busan Fisheries Co., Ltd." },
      { "Ansan", "Hwaseong", "Gimhae", "Busan" }, "Đại sứ quán Việt Nam tại Hàn Quốc" },
    { "TWN", "TWD", 2, 18, "zh", "LANGUAGE_TEST_COURSE_COMPLETION", { "Sơ cấp", "Sơ cấp", "A1" },
      "Tiếng Trung giao tiếp", 120, 200, 1, 2, { "", "" }, { 36, 0, 0, 0 }, 0, 0, 25, 60, 200,
      80, 0, { 6, 5, 8, 2 },
      { "Formosa Electronics Co., Ltd.", "Taichung Machinery Corp.", "Tainan Textile Co., Ltd.",
        "Kaohsiung Care Home" },
      { "Taoyuan", "Taichung", "Tainan", "Kaohsiung" },
      "Văn phòng Kinh tế và Văn hóa Việt Nam tại Đài Bắc" },
    { "DEU", "EUR", 2, 6, "de", "LANGUAGE_TEST_CEFR", { "B1", "B2", "B1" }, "Tiếng Đức", 800, 1200,
      8, 11, { "Triple Win", "Fachkräfte" }, { 36, 0, 0, 0 }, 2300, 3200, 0, 20, 0, 100, 0,
      { 7, 2, 7, 2 },
      { "Klinikum Nürnberg", "Pflegeheim St. Anna GmbH", "Seniorenresidenz Sonnenhof GmbH",
        "Klinikum Stuttgart" },
      { "Nürnberg", "München", "Berlin", "Stuttgart" }, "Đại sứ quán Việt Nam tại Đức" },
    { "CAN", "CAD", 2, 3, "en", "LANGUAGE_TEST_IELTS", { "4.5", "5.0", "5.5" }, "Tiếng Anh", 200,
      300, 2, 4, { "TFWP", "TFWP" }, { 24, 0, 0, 0 }, 2900, 3600, 20, 40, 0, 100, 0,
      { 4, 1, 0, 1 },
      { "Maple Leaf Foods Inc.", "Prairie Farms Ltd.", "Northern Timber Co.",
        "Red River Meats Ltd." },
      { "Winnipeg", "Regina", "Edmonton", "Brandon" }, "Đại sứ quán Việt Nam tại Canada" },
    { "ROU", "RON", 2, 2, "en", "LANGUAGE_TEST_COURSE_COMPLETION", { "Sơ cấp", "Sơ cấp", "A1" },
      "Tiếng Anh giao tiếp", 120, 160, 1, 2, { "", "" }, { 24, 0, 0, 0 }, 3800, 4500, 15, 30, 0,
      60, 0, { 3, 0, 8, 3 },
      { "Constructii Nord SRL", "Romsteel Fabrication SRL", "Textila Banat SRL",
        "Constructii Nord SRL" },
      { "București", "Cluj-Napoca", "Timișoara", "Iași" }, "Đại sứ quán Việt Nam tại Rumani" },
    { "HUN", "HUF", 2, 1, "en", "LANGUAGE_TEST_COURSE_COMPLETION", { "Sơ cấp", "Sơ cấp", "A1" },
      "Tiếng Anh giao tiếp", 120, 160, 1, 2, { "", "" }, { 24, 0, 0, 0 }, 350000, 450000, 15, 30,
      0, 60, 0, { 5, 6, 5, 6 },
      { "Pannonia Auto Kft.", "Győr Elektronika Kft.", "Pannonia Auto Kft.",
        "Győr Elektronika Kft." },
      { "Győr", "Kecskemét", "Győr", "Debrecen" }, "Đại sứ quán Việt Nam tại Hungary" },
    { "AUS", "AUD", 2, 1, "en", "LANGUAGE_TEST_IELTS", { "4.5", "5.0", "4.5" }, "Tiếng Anh",
      200, 300, 2, 3, { "", "" }, { 24, 0, 0, 0 }, 3800, 4600, 20, 40, 0, 100, 0, { 4, 1, 4, 1 },
      { "Murray Valley Farms Pty Ltd", "Riverina Meats Pty Ltd", "Murray Valley Farms Pty Ltd",
        "Riverina Meats Pty Ltd" },
      { "Mildura", "Wagga Wagga", "Mildura", "Griffith" }, "Đại sứ quán Việt Nam tại Úc" },
    { "SAU", "SAR", 2, 1, "en", "LANGUAGE_TEST_COURSE_COMPLETION", { "Sơ cấp", "Sơ cấp", "A1" },
      "Tiếng Anh giao tiếp", 80, 120, 1, 1, { "", "" }, { 24, 0, 0, 0 }, 1500, 2200, 10, 20, 0,
      50, 0, { 3, 0, 3, 0 },
      { "Al Noor Contracting Co.", "Gulf Steel Works", "Al Noor Contracting Co.",
        "Gulf Steel Works" },
      { "Riyadh", "Dammam", "Jeddah", "Riyadh" }, "Đại sứ quán Việt Nam tại Ả Rập Xê Út" },
    { "SGP", "SGD", 2, 1, "en", "LANGUAGE_TEST_COURSE_COMPLETION", { "Sơ cấp", "Sơ cấp", "A1" },
      "Tiếng Anh giao tiếp", 80, 120, 1, 2, { "", "" }, { 24, 0, 0, 0 }, 1600, 2400, 20, 35, 0,
      60, 0, { 9, 0, 3, 5 },
      { "Jurong Marine Pte Ltd", "Tuas Engineering Pte Ltd", "Jurong Marine Pte Ltd",
        "Tuas Engineering Pte Ltd" },
      { "Singapore", "Singapore", "Singapore", "Singapore" },
      "Đại sứ quán Việt Nam tại Singapore" },
};
#define N_MARKETS (sizeof markets / sizeof markets[0])

/* Korea's and Taiwan's monthly minimum wages, by year (major units). */
static long minimum_wage(const char *country, int year)
{
    static const long kor[] = { 2010580, 2060740, 2096270, 2156880 }; /* 2023..2026 */
    static const long twn[] = { 26400, 27470, 28590, 29500 };
    int i = year < 2023 ? 0 : year > 2026 ? 3 : year - 2023;
    return strcmp(country, "KOR") == 0 ? kor[i] : twn[i];
}

/* The sending units: licensed service enterprises and the public centre. */
static const struct sender {
    enum sim_agency agency;
    const char *code;       /* enterprise code */
    const char *licence;    /* NULL for a public unit */
} senders[] = {
    { AG_SVC1, "0401234567", "123/LĐTBXH-GP" },
    { AG_SVC2, "0101987654", "456/LĐTBXH-GP" },
    { AG_SVC_COL, "0100112233", NULL },
};

static const char *const priority_names[] = {
    NULL,
    "PRIORITY_GROUP_ETHNIC_MINORITY",
    "PRIORITY_GROUP_POOR_HOUSEHOLD",
    "PRIORITY_GROUP_NEAR_POOR_HOUSEHOLD",
    "PRIORITY_GROUP_NEWLY_NON_POOR_HOUSEHOLD",
    "PRIORITY_GROUP_MERITORIOUS_SERVICE_RELATIVE",
    "PRIORITY_GROUP_LAND_RECOVERED",
    "PRIORITY_GROUP_DEMOBILISED_SOLDIER",
    "PRIORITY_GROUP_DIFFICULT_AREA_RESIDENT",
};
static const int priority_permille[] = { 0, 70, 80, 70, 20, 30, 20, 60, 40 };
#define PG_ETHNIC (1u << 1)
#define PG_POOR (1u << 2)
#define PG_NEAR_POOR (1u << 3)
#define PG_DEMOBILISED (1u << 7)

static const char *const birth_provinces[] = { "049", "048", "052", "051", "038", "040", "079" };
static const unsigned birth_province_w[] = { 850, 50, 30, 30, 15, 15, 10 };

static const struct {
    const char *code;
    unsigned weight;
} out_gates[] = { { "DN-AIRPORT", 70 }, { "SBQT-TANSONNHAT", 20 }, { "SBQT-NOIBAI", 10 } };

static const char *const incidents[] = {
    "PROTECTION_CASE_TYPE_LABOUR_DISPUTE", "PROTECTION_CASE_TYPE_UNPAID_WAGES",
    "PROTECTION_CASE_TYPE_WORK_ACCIDENT",  "PROTECTION_CASE_TYPE_ILLNESS",
    "PROTECTION_CASE_TYPE_DOCUMENTS_WITHHELD", "PROTECTION_CASE_TYPE_ABUSE",
    "PROTECTION_CASE_TYPE_DETENTION",
};
static const unsigned incident_w[] = { 30, 25, 15, 12, 8, 6, 4 };
/* How a repatriation after each incident ends the contract. */
static const char *const incident_end[] = {
    "CONTRACT_END_REASON_EARLY_MUTUAL_AGREEMENT", "CONTRACT_END_REASON_EARLY_EMPLOYER_BREACH",
    "CONTRACT_END_REASON_EARLY_ILLNESS_OR_INJURY", "CONTRACT_END_REASON_EARLY_ILLNESS_OR_INJURY",
    "CONTRACT_END_REASON_EARLY_EMPLOYER_BREACH", "CONTRACT_END_REASON_EARLY_EMPLOYER_BREACH",
    "CONTRACT_END_REASON_EARLY_DEPORTED",
};
static const char *const incident_summary[] = {
    "Tranh chấp về thời giờ làm việc với chủ sử dụng lao động",
    "Chủ sử dụng lao động chậm trả lương",
    "Tai nạn lao động tại nơi làm việc",
    "Người lao động ốm cần hỗ trợ điều trị",
    "Chủ sử dụng lao động giữ hộ chiếu",
    "Người lao động phản ánh bị đối xử không đúng hợp đồng",
    "Người lao động bị tạm giữ",
};

static const char *const early_reasons[] = {
    "CONTRACT_END_REASON_EARLY_WORKER_REQUEST", "CONTRACT_END_REASON_EARLY_MUTUAL_AGREEMENT",
    "CONTRACT_END_REASON_EARLY_EMPLOYER_CLOSED", "CONTRACT_END_REASON_EARLY_ILLNESS_OR_INJURY",
    "CONTRACT_END_REASON_EARLY_EMPLOYER_TERMINATION", "CONTRACT_END_REASON_EARLY_OTHER",
};
static const unsigned early_w[] = { 35, 25, 10, 15, 10, 5 };

/* ---- the citizen ------------------------------------------------------------ */

/* What a step is, in its arg: what << 8 | index. */
enum owhat {
    OW_REGISTER = 1, OW_VERIFY, OW_LANGUAGE, OW_VOCATIONAL, OW_ORIENTATION, OW_CONTRACT,
    OW_LOAN, OW_REPAY, OW_SUPPORT, OW_DEPART, OW_CASE, OW_ENDED, OW_RETURN, OW_REEMPLOY,
};
#define OARG(what, idx) ((uint32_t)(what) << 8 | (uint32_t)(idx))

struct support {
    int32_t day;
    enum sim_agency agency;
    const char *programme, *kind;
    long amount;
};

struct citizen {
    long o;
    int32_t reg_day;
    char id[13];
    char name[96];
    int male;
    int32_t birth;
    struct sim_place home;
    enum sim_agency registrar;
    unsigned groups;            /* bit PRIORITY_GROUP value */
    const struct market *mk;
    const struct market *mk2;   /* second wish, or NULL */
    const struct job *job;
    const struct sender *snd;
    int mismatch;               /* identity check found a wrong birth date */
    int no_contract;            /* messy: departs with no registered contract */
    int no_return;              /* messy: contract ends, never comes back */
    int64_t verify_at;
    int32_t lang_start, lang_end, voc_start, voc_end, orient_day;
    int32_t contract_day, start_day, end_day;
    unsigned months;
    const char *scheme;
    long salary;                /* major units */
    long fee_m, deposit_m, brokerage_m;
    unsigned level;             /* index in mk->levels */
    unsigned employer;          /* index in mk->employers */
    int64_t depart_at, return_at;
    const char *depart_gate, *return_gate;
    const char *end_reason;
    int32_t liquidation_day;
    /* the loan */
    int loan;
    int32_t loan_day;
    long loan_amount;           /* VND */
    unsigned loan_rate_bp;
    const char *loan_programme;
    int n_repay;                /* repayments, the last may be a lump sum */
    int n_sched;                /* of which on the six-monthly schedule */
    int32_t repay_day[12];
    /* support */
    struct support sup[3];
    int n_sup;
    /* the protection case */
    int n_case;
    int64_t case_at[3];
    const char *case_status[3];
    unsigned incident;
    /* after the return */
    int32_t reemploy_day;
    unsigned outcome;
};

static unsigned market_weight(const struct market *m, int year)
{
    int grow = year - 2023;
    if (strcmp(m->country, "DEU") == 0)
        return m->weight + (unsigned)(grow > 0 ? 2 * grow : 0);
    if (strcmp(m->country, "CAN") == 0)
        return m->weight + (unsigned)(grow > 0 ? grow : 0);
    return m->weight;
}

static int year_of(int32_t day)
{
    int y;
    unsigned m, d;
    lt_date_to_civil(day, &y, &m, &d);
    return y;
}

/* The day before the same day `months` later (a contract of that many
 * months starting on `start`); days past the month's end fall back to 28. */
static int32_t months_end(int32_t start, unsigned months)
{
    int y;
    unsigned m, d;
    lt_date_to_civil(start, &y, &m, &d);
    unsigned mm = m - 1 + months;
    y += (int)(mm / 12);
    m = mm % 12 + 1;
    if (d > 28)
        d = 28;
    return lt_date_from_civil(y, m, d) - 1;
}

int64_t sim_outbound_arrival(const struct sim_world *w, long o)
{
    struct sim_rng r = sim_rng_for(w->cfg->seed, SIM_OUTBOUND, (uint64_t)o, P_ARRIVE);
    double x = ((double)o + sim_uniform(&r)) / (double)w->cfg->outbound_workers;
    int64_t raw = w->start_ms + (int64_t)(x * (double)(w->end_ms - w->start_ms));
    return sim_day_ms(sim_day_of(raw));
}

/* A home commune of the former Quảng Nam in force on day: a commune of one
 * of its districts before the reform, of Đà Nẵng after. */
static void pick_home(const struct sim_world *w, struct sim_rng *r, int32_t day,
                      struct sim_place *pl)
{
    memset(pl, 0, sizeof *pl);
    if (day >= SIM_REFORM_DAY) {
        pl->province = sim_unit(w, "48", day);
        pl->commune = sim_pick_unit(w, r, LT_UNIT_COMMUNE, "48", day, NULL);
        assert(pl->province && pl->commune); /* checked when the world was built */
        return;
    }
    pl->province = sim_unit(w, "49", day);
    const struct lt_unit *cd[64], *cc[64];
    size_t n = 0;
    for (size_t i = 0; i < w->n_units; i++) {
        const struct lt_unit *d = w->units[i];
        if (d->level != LT_UNIT_DISTRICT || strcmp(d->parent, "49") != 0 ||
            day < d->valid_from || day > d->valid_until)
            continue;
        for (size_t j = 0; j < w->n_units && n < 64; j++) {
            const struct lt_unit *u = w->units[j];
            if (u->level == LT_UNIT_COMMUNE && strcmp(u->parent, d->code) == 0 &&
                day >= u->valid_from && day <= u->valid_until) {
                cd[n] = d;
                cc[n++] = u;
            }
        }
    }
    assert(pl->province && n > 0); /* checked when the world was built */
    size_t x = (size_t)sim_below(r, n);
    pl->district = cd[x];
    pl->commune = cc[x];
}

/* The local agency that registers residents of pl on day, if the demo
 * registry has one. */
static enum sim_agency local_registrar(const struct sim_place *pl, int32_t day)
{
    if (day < SIM_REFORM_DAY && pl->district) {
        if (strcmp(pl->district->code, "502") == 0)
            return AG_QN_DISTRICT_502;
        if (strcmp(pl->district->code, "513") == 0)
            return AG_QN_DISTRICT_513;
    }
    if (day >= SIM_REFORM_DAY && pl->commune && strcmp(pl->commune->code, "20335") == 0)
        return AG_DN_WARD_20335;
    return AG_QN_LABOUR;
}

static int64_t instant(struct sim_rng *r, int32_t day, int from_h, int to_h)
{
    /* To the second, as border and identity systems stamp them. */
    return sim_day_ms(day) + 1000 * sim_range(r, from_h * 3600, to_h * 3600 - 1);
}

static const char *pick_gate(struct sim_rng *r)
{
    unsigned gw[3] = { out_gates[0].weight, out_gates[1].weight, out_gates[2].weight };
    return out_gates[sim_weighted(r, gw, 3)].code;
}

static void add_support(struct citizen *c, int32_t day, enum sim_agency agency,
                        const char *programme, const char *kind, long amount)
{
    assert(c->n_sup < 3);
    struct support *s = &c->sup[c->n_sup++];
    s->day = day;
    s->agency = agency;
    s->programme = programme;
    s->kind = kind;
    s->amount = amount;
}

/* The whole story of citizen o; fills *c and the plan. */
static void citizen_make(const struct sim_world *w, long o, struct citizen *c,
                         struct sim_plan *p)
{
    const struct lt_sim_config *cfg = w->cfg;
    struct sim_rng g = sim_rng_for(cfg->seed, SIM_OUTBOUND, (uint64_t)o, P_PLAN);
    struct sim_rng t = sim_rng_for(cfg->seed, SIM_OUTBOUND, (uint64_t)o, P_TEXT);
    memset(c, 0, sizeof *c);
    p->n = 0;
    c->o = o;
    c->reg_day = sim_day_of(sim_outbound_arrival(w, o));

    /* Who. */
    c->male = sim_chance(&g, 620);
    int age = (int)sim_range(&g, 19, 38);
    c->birth = c->reg_day - age * 365 - (int32_t)sim_range(&g, 0, 364);
    int by;
    unsigned bm, bd;
    lt_date_to_civil(c->birth, &by, &bm, &bd);
    const char *prov = birth_provinces[sim_weighted(&g, birth_province_w, 7)];
    int century = by >= 2000 ? 2 : 0;
    snprintf(c->id, sizeof c->id, "%s%d%02d%06llu", prov, century + (c->male ? 0 : 1),
             by % 100, (unsigned long long)sim_scramble((uint64_t)o, 6, 0x49ULL));
    sim_vn_name(&t, c->male, c->name, sizeof c->name);
    pick_home(w, &g, c->reg_day, &c->home);
    int via_labour = sim_chance(&g, 200);
    c->registrar = cfg->registrar == LT_SIM_REGISTRAR_LABOUR || via_labour
                       ? AG_QN_LABOUR
                       : local_registrar(&c->home, c->reg_day);
    for (unsigned i = 1; i < sizeof priority_permille / sizeof priority_permille[0]; i++)
        if (sim_chance(&g, priority_permille[i]))
            c->groups |= 1u << i;
    unsigned mw[N_MARKETS];
    for (size_t i = 0; i < N_MARKETS; i++)
        mw[i] = market_weight(&markets[i], year_of(c->reg_day));
    c->mk = &markets[sim_weighted(&g, mw, N_MARKETS)];
    const struct market *m2 = &markets[sim_weighted(&g, mw, N_MARKETS)];
    c->mk2 = m2 != c->mk && sim_chance(&g, 600) ? m2 : NULL;
    const struct market *mk = c->mk;
    c->job = &jobs[mk->jobs[sim_below(&g, 4)]];
    c->snd = mk->eps ? &senders[2] : &senders[sim_chance(&g, 600) ? 0 : 1];

    /* Fates. */
    const int *rate = cfg->rate_permille;
    c->mismatch = sim_chance(&g, 15);
    int drop_early = sim_chance(&g, 180), drop_training = sim_chance(&g, 70);
    c->no_contract = sim_chance(&g, rate[LT_SIM_MESSY_DEPARTURE_NO_CONTRACT]);
    c->no_return = sim_chance(&g, rate[LT_SIM_MESSY_CONTRACT_ENDED_NO_RETURN]);
    int vocational = mk->jobs[0] == 7 || (c->job->course && sim_chance(&g, 500));
    int has_case = sim_chance(&g, 40), early = sim_chance(&g, 100);
    int reemploy = sim_chance(&g, 400), back_anyway = sim_chance(&g, 600);
    int priority = (c->groups & (PG_ETHNIC | PG_POOR | PG_NEAR_POOR | PG_DEMOBILISED)) != 0;
    c->loan = sim_chance(&g, priority ? 700 : 300);

    /* Registration and the identity check. */
    sim_plan_add(p, sim_day_ms(c->reg_day), LIENTHONG__V1__EVENT__BODY_OUTBOUND_REGISTERED,
                 c->registrar, OARG(OW_REGISTER, 0));
    c->verify_at = instant(&g, c->reg_day + (int32_t)sim_range(&g, 1, 5), 8, 17);
    sim_plan_add(p, c->verify_at, LIENTHONG__V1__EVENT__BODY_CITIZEN_IDENTITY_VERIFIED,
                 AG_QN_POLICE, OARG(OW_VERIFY, 0));
    if (c->mismatch || drop_early)
        goto done;

    /* Training. */
    enum sim_agency school = sim_chance(&g, 850) ? AG_QN_SCHOOL : AG_BD_SCHOOL;
    c->level = (unsigned)sim_below(&g, 3);
    c->lang_start = c->reg_day + (int32_t)sim_range(&g, 7, 30);
    c->lang_end = c->lang_start + (int32_t)sim_range(&g, mk->months_min * 30, mk->months_max * 30);
    sim_plan_add(p, sim_day_ms(c->lang_end), LIENTHONG__V1__EVENT__BODY_TRAINING_COMPLETED,
                 school, OARG(OW_LANGUAGE, 0));
    int32_t trained = c->lang_end;
    if (vocational && c->job->course) {
        c->voc_start = c->lang_end + (int32_t)sim_range(&g, 1, 10);
        c->voc_end = c->voc_start + (int32_t)sim_range(&g, 30, 90);
        trained = c->voc_end;
        sim_plan_add(p, sim_day_ms(c->voc_end), LIENTHONG__V1__EVENT__BODY_TRAINING_COMPLETED,
                     school, OARG(OW_VOCATIONAL, 0));
    }
    int32_t lang_support_day = c->lang_end + (int32_t)sim_range(&g, 5, 20);
    if (c->groups & PG_ETHNIC)
        add_support(c, lang_support_day, AG_QN_ETHNIC, "SUPPORT_PROGRAMME_NTP_ETHNIC_MINORITY",
                    "SUPPORT_KIND_LANGUAGE_TRAINING", 1000000 * sim_range(&g, 3, 6));
    else if (c->groups & (PG_POOR | PG_NEAR_POOR))
        add_support(c, lang_support_day, AG_QN_LABOUR, "SUPPORT_PROGRAMME_NTP_POVERTY_REDUCTION",
                    "SUPPORT_KIND_LANGUAGE_TRAINING", 1000000 * sim_range(&g, 3, 5));
    else if (c->groups & PG_DEMOBILISED)
        add_support(c, lang_support_day, AG_QN_LABOUR, "SUPPORT_PROGRAMME_EMPLOYMENT_POLICY",
                    "SUPPORT_KIND_VOCATIONAL_TRAINING", 1000000 * sim_range(&g, 2, 4));
    else if (sim_chance(&g, 50))
        add_support(c, lang_support_day, AG_QN_LABOUR, "SUPPORT_PROGRAMME_LOCAL_BUDGET",
                    "SUPPORT_KIND_LANGUAGE_TRAINING", 1000000 * sim_range(&g, 2, 3));
    if (drop_training)
        goto done;

    /* The contract and what pays for the trip. */
    c->contract_day = trained + (int32_t)(mk->eps ? sim_range(&g, 30, 120)
                                                  : sim_range(&g, 5, 40));
    int32_t depart_day = c->contract_day + (int32_t)sim_range(&g, 30, 90);
    c->depart_at = instant(&g, depart_day, 6, 24);
    c->depart_gate = pick_gate(&g);
    c->start_day = depart_day + (int32_t)sim_range(&g, 1, 7);
    size_t nd = 0;
    while (nd < 4 && mk->durations[nd])
        nd++;
    c->months = mk->durations[sim_below(&g, nd)];
    c->scheme = mk->schemes[sim_below(&g, 2)];
    if (strcmp(c->scheme, "SSW") != 0 && strcmp(mk->country, "JPN") == 0)
        c->months = 36; /* TITP */
    c->salary = mk->salary_max ? sim_range(&g, mk->salary_min, mk->salary_max)
                               : minimum_wage(mk->country, year_of(c->contract_day));
    c->fee_m = mk->fee_max_m ? sim_range(&g, mk->fee_min_m, mk->fee_max_m) : 0;
    c->deposit_m = sim_chance(&g, mk->deposit_permille) ? sim_range(&g, 10, 20) : 0;
    int brokerage = sim_chance(&g, 300);
    c->brokerage_m = strcmp(mk->country, "JPN") == 0 && brokerage ? sim_range(&g, 3, 10) : 0;
    c->employer = (unsigned)sim_below(&g, 4);
    c->orient_day = depart_day - (int32_t)sim_range(&g, 4, 14);
    if (!c->no_contract)
        sim_plan_add(p, sim_day_ms(c->contract_day),
                     LIENTHONG__V1__EVENT__BODY_CONTRACT_REGISTERED, c->snd->agency,
                     OARG(OW_CONTRACT, 0));
    sim_plan_add(p, sim_day_ms(c->orient_day), LIENTHONG__V1__EVENT__BODY_TRAINING_COMPLETED,
                 school, OARG(OW_ORIENTATION, 0));
    c->loan_day = c->contract_day + (int32_t)sim_range(&g, 5, 20);
    c->loan_amount = 1000000L * sim_range(&g, mk->loan_max_m / 2, mk->loan_max_m);
    c->loan_rate_bp = priority ? 33 : 66;
    int local_budget = sim_chance(&g, 200);
    if (c->groups & PG_ETHNIC)
        c->loan_programme = "LOAN_PROGRAMME_NTP_ETHNIC_MINORITY";
    else if (c->groups & (PG_POOR | PG_NEAR_POOR))
        c->loan_programme = "LOAN_PROGRAMME_NTP_POVERTY_REDUCTION";
    else if (local_budget)
        c->loan_programme = "LOAN_PROGRAMME_LOCAL_BUDGET_ENTRUSTED";
    else
        c->loan_programme = "LOAN_PROGRAMME_EMPLOYMENT_FUND";
    if (c->no_contract || c->loan_day > depart_day - 3)
        c->loan = 0;
    if (c->loan)
        sim_plan_add(p, sim_day_ms(c->loan_day), LIENTHONG__V1__EVENT__BODY_LOAN_DISBURSED,
                     AG_QN_BANK, OARG(OW_LOAN, 0));
    int32_t proc_day = c->contract_day + (int32_t)sim_range(&g, 3, 20);
    if (!c->no_contract && proc_day < depart_day) {
        if (c->groups & PG_ETHNIC)
            add_support(c, proc_day, AG_QN_ETHNIC, "SUPPORT_PROGRAMME_NTP_ETHNIC_MINORITY",
                        "SUPPORT_KIND_PROCEDURE_COSTS", 500000 * sim_range(&g, 2, 4));
        else if (c->groups & (PG_POOR | PG_NEAR_POOR))
            add_support(c, proc_day, AG_QN_LABOUR, "SUPPORT_PROGRAMME_NTP_POVERTY_REDUCTION",
                        "SUPPORT_KIND_LIVING_COSTS", 1000000 * sim_range(&g, 2, 5));
    }

    /* Departure. */
    sim_plan_add(p, c->depart_at, LIENTHONG__V1__EVENT__BODY_DEPARTURE, AG_QN_POLICE,
                 OARG(OW_DEPART, 0));
    if (c->no_contract) {
        sim_plan_mark(p, c->depart_at, LT_SIM_MESSY_DEPARTURE_NO_CONTRACT);
        int32_t back = depart_day + (int32_t)sim_range(&g, 180, 720);
        if (back_anyway) {
            c->return_at = instant(&g, back, 6, 24);
            c->return_gate = pick_gate(&g);
            sim_plan_add(p, c->return_at, LIENTHONG__V1__EVENT__BODY_RETURN_HOME, AG_QN_POLICE,
                         OARG(OW_RETURN, 0));
        }
        goto done;
    }

    /* Abroad: the contract's end, perhaps early, perhaps after an incident. */
    c->end_day = months_end(c->start_day, c->months);
    c->end_reason = "CONTRACT_END_REASON_COMPLETED";
    int32_t early_day = c->start_day + (int32_t)sim_range(&g, 90, (int64_t)c->months * 30 - 30);
    const char *early_reason = early_reasons[sim_weighted(&g, early_w, 6)];
    int32_t case_day = depart_day + (int32_t)sim_range(&g, 60, (int64_t)c->months * 30 - 90);
    c->incident = (unsigned)sim_weighted(&g, incident_w, 7);
    unsigned outcome = (unsigned)sim_below(&g, 10); /* 0-6 resolved, 7-8 home, 9 closed */
    int32_t steps[2];
    steps[0] = (int32_t)sim_range(&g, 3, 15);
    steps[1] = (int32_t)sim_range(&g, 20, 90);
    int32_t home_wait = (int32_t)sim_range(&g, 0, 10);
    if (has_case && case_day + steps[0] + steps[1] < c->end_day - 30) {
        c->case_at[0] = instant(&g, case_day, 7, 20);
        c->case_status[0] = "PROTECTION_CASE_STATUS_OPENED";
        c->case_at[1] = instant(&g, case_day + steps[0], 7, 20);
        c->case_status[1] = "PROTECTION_CASE_STATUS_IN_PROGRESS";
        c->case_at[2] = instant(&g, case_day + steps[0] + steps[1], 7, 20);
        c->case_status[2] = outcome < 7   ? "PROTECTION_CASE_STATUS_RESOLVED"
                            : outcome < 9 ? "PROTECTION_CASE_STATUS_REPATRIATED"
                                          : "PROTECTION_CASE_STATUS_CLOSED_UNRESOLVED";
        c->n_case = 3;
        for (int i = 0; i < 3; i++)
            sim_plan_add(p, c->case_at[i], LIENTHONG__V1__EVENT__BODY_CITIZEN_PROTECTION_CASE,
                         AG_QN_FOREIGN, OARG(OW_CASE, i));
        if (outcome >= 7 && outcome < 9) { /* brought home: the contract ends there */
            c->end_day = sim_day_of(c->case_at[2]) + home_wait;
            c->end_reason = incident_end[c->incident];
        }
    } else if (early && early_day < c->end_day - 30) {
        c->end_day = early_day;
        c->end_reason = early_reason;
    }
    int repatriated = c->n_case && strcmp(c->case_status[2],
                                          "PROTECTION_CASE_STATUS_REPATRIATED") == 0;
    if (c->no_return && !repatriated)
        c->end_reason = sim_chance(&g, 500) ? "CONTRACT_END_REASON_EARLY_WORKER_ABSCONDED"
                                            : "CONTRACT_END_REASON_COMPLETED";
    else
        c->no_return = 0;
    if (strcmp(c->end_reason, "CONTRACT_END_REASON_EARLY_WORKER_ABSCONDED") == 0 &&
        c->end_day > early_day)
        c->end_day = early_day;
    c->liquidation_day = c->end_day + (int32_t)sim_range(&g, 10, 40);
    sim_plan_add(p, sim_day_ms(c->end_day), LIENTHONG__V1__EVENT__BODY_CONTRACT_ENDED,
                 c->snd->agency, OARG(OW_ENDED, 0));
    int32_t return_day = repatriated ? sim_day_of(c->case_at[2])
                                     : c->end_day + (int32_t)sim_range(&g, 0, 20);
    int64_t return_at = instant(&g, return_day, 6, 24);
    const char *return_gate = pick_gate(&g);
    if (c->no_return) {
        sim_plan_mark(p, sim_day_ms(c->end_day + cfg->no_return_days + 1),
                      LT_SIM_MESSY_CONTRACT_ENDED_NO_RETURN);
    } else {
        c->return_at = return_at;
        c->return_gate = return_gate;
        sim_plan_add(p, c->return_at, LIENTHONG__V1__EVENT__BODY_RETURN_HOME, AG_QN_POLICE,
                     OARG(OW_RETURN, 0));
        int32_t risk_day = return_day + (int32_t)sim_range(&g, 10, 40);
        long risk_amount = 1000000 * sim_range(&g, 5, 15);
        if (repatriated && c->n_sup < 3)
            add_support(c, risk_day, AG_QN_LABOUR, "SUPPORT_PROGRAMME_OVERSEAS_EMPLOYMENT_FUND",
                        "SUPPORT_KIND_RISK", risk_amount);
        c->reemploy_day = return_day + (int32_t)sim_range(&g, 15, 120);
        c->outcome = (unsigned)sim_below(&g, 10);
        if (reemploy)
            sim_plan_add(p, sim_day_ms(c->reemploy_day),
                         LIENTHONG__V1__EVENT__BODY_REEMPLOYMENT_SUPPORTED, AG_QN_LABOUR,
                         OARG(OW_REEMPLOY, 0));
    }

    /* Repayments every six months while abroad; the rest after coming home. */
    if (c->loan) {
        int32_t until = c->no_return ? c->end_day : sim_day_of(c->return_at);
        for (unsigned k = 1; k <= c->months / 6 && c->n_repay < 12; k++) {
            int32_t d = months_end(c->loan_day, 6 * k) + 1;
            if (d > until)
                break;
            c->repay_day[c->n_repay++] = d;
        }
        c->n_sched = c->n_repay;
        int paid_all = c->n_repay == (int)(c->months / 6);
        if (!c->no_return && !paid_all && c->n_repay < 12)
            c->repay_day[c->n_repay++] = sim_day_of(c->return_at) + 30;
        for (int k = 0; k < c->n_repay; k++)
            sim_plan_add(p, sim_day_ms(c->repay_day[k]), LIENTHONG__V1__EVENT__BODY_LOAN_REPAID,
                         AG_QN_BANK, OARG(OW_REPAY, k));
    }

done:
    for (int i = 0; i < c->n_sup; i++)
        sim_plan_add(p, sim_day_ms(c->sup[i].day), LIENTHONG__V1__EVENT__BODY_SUPPORT_PAID,
                     c->sup[i].agency, OARG(OW_SUPPORT, i));
    struct sim_rng late = sim_rng_for(cfg->seed, SIM_OUTBOUND, (uint64_t)o, P_LATE);
    sim_plan_finish(p, &late, cfg->rate_permille[LT_SIM_MESSY_LATE_EVENT]);
}

/* ---- events --------------------------------------------------------------- */

static void contract_no(const struct citizen *c, char *buf, size_t n)
{
    snprintf(buf, n, "HĐ-%04d/%06ld", year_of(c->contract_day), c->o);
}

static void passport_no(const struct citizen *c, char *buf, size_t n)
{
    snprintf(buf, n, "C%07llu", (unsigned long long)sim_scramble((uint64_t)c->o, 7, 0xc0ffeeULL));
}

static json_t *training_json(const struct citizen *c, unsigned what)
{
    const struct market *mk = c->mk;
    json_t *b = json_object();
    if (what == OW_LANGUAGE) {
        sim_set_str(b, "kind", "TRAINING_KIND_FOREIGN_LANGUAGE");
        sim_set_str(b, "courseName", mk->course);
        sim_set_fmt(b, "certificateNo", "CC-NN-%06ld", c->o);
        sim_set_date(b, "startDate", c->lang_start);
        sim_set_int(b, "hours", mk->hours_min + (int)(c->o % (mk->hours_max - mk->hours_min + 1)));
        sim_set_str(b, "language", mk->language);
        sim_set_str(b, "languageTest", mk->test);
        sim_set_str(b, "languageLevel", mk->levels[c->level]);
        sim_set_str(b, "destinationCountry", mk->country);
    } else if (what == OW_VOCATIONAL) {
        sim_set_str(b, "kind", "TRAINING_KIND_VOCATIONAL_SKILL");
        sim_set_str(b, "courseName", c->job->course);
        sim_set_fmt(b, "certificateNo", "CC-N-%06ld", c->o);
        sim_set_date(b, "startDate", c->voc_start);
        sim_set_int(b, "hours", 160 + (int)(c->o % 200));
        sim_set_str(b, "occupationCode", c->job->occupation);
        sim_set_str(b, "vocationalLevel", c->voc_end - c->voc_start < 90
                                              ? "VOCATIONAL_LEVEL_SHORT_COURSE"
                                              : "VOCATIONAL_LEVEL_ELEMENTARY");
        sim_set_str(b, "destinationCountry", mk->country);
    } else {
        sim_set_str(b, "kind", "TRAINING_KIND_ORIENTATION");
        sim_set_str(b, "courseName", "Bồi dưỡng kiến thức cần thiết cho người lao động đi làm "
                                     "việc ở nước ngoài");
        sim_set_fmt(b, "certificateNo", "GDĐH-%04d-%06ld", year_of(c->orient_day), c->o);
        sim_set_date(b, "startDate", c->orient_day - 10);
        sim_set_int(b, "hours", 74);
        sim_set_str(b, "destinationCountry", mk->country);
        if (!c->no_contract)
            sim_set_str(b, "serviceEnterpriseCode", c->snd->code);
    }
    return b;
}

json_t *sim_outbound_event(const struct sim_world *w, long o, int i, struct sim_plan *p)
{
    struct citizen c;
    citizen_make(w, o, &c, p);
    if (i < 0 || i >= p->n || p->s[i].type < 100)
        return NULL;

    const struct sim_step *st = &p->s[i];
    int32_t day = sim_day_of(st->occ);
    unsigned what = st->arg >> 8, idx = st->arg & 0xff;
    const struct market *mk = c.mk;
    char cno[48], pno[16];
    contract_no(&c, cno, sizeof cno);
    passport_no(&c, pno, sizeof pno);
    json_t *b = json_object();
    const char *key = NULL;
    switch (what) {
    case OW_REGISTER: {
        key = "outboundRegistered";
        sim_set_obj(b, "person", sim_person(c.name, c.birth, c.male));
        sim_set_obj(b, "residenceArea", sim_area_json(w, &c.home, day));
        json_t *groups = json_array();
        for (unsigned g = 1; g < sizeof priority_names / sizeof priority_names[0]; g++)
            if (c.groups & (1u << g))
                json_array_append_new(groups, json_string(priority_names[g]));
        if (json_array_size(groups))
            sim_set_obj(b, "priorityGroups", groups);
        else
            json_decref(groups);
        json_t *wanted = json_array();
        json_array_append_new(wanted, json_string(mk->country));
        if (c.mk2)
            json_array_append_new(wanted, json_string(c.mk2->country));
        sim_set_obj(b, "wantedCountries", wanted);
        sim_set_str(b, "wantedOccupation", c.job->title);
        sim_set_str(b, "wantedForm", mk->eps ? "OUTBOUND_FORM_PUBLIC_UNIT"
                                             : "OUTBOUND_FORM_SERVICE_ENTERPRISE");
        break;
    }
    case OW_VERIFY:
        key = "citizenIdentityVerified";
        sim_set_str(b, "result", c.mismatch ? "IDENTITY_CHECK_RESULT_MISMATCH"
                                            : "IDENTITY_CHECK_RESULT_MATCH");
        sim_set_str(b, "fullNameCheck", "FIELD_CHECK_MATCH");
        sim_set_str(b, "birthDateCheck", c.mismatch ? "FIELD_CHECK_MISMATCH" : "FIELD_CHECK_MATCH");
        sim_set_str(b, "sexCheck", "FIELD_CHECK_MATCH");
        sim_set_str(b, "requestedByAgencyCode", sim_agency_code(c.registrar));
        sim_set_fmt(b, "requestRef", "DK-%04d-%06ld", year_of(c.reg_day), o);
        break;
    case OW_LANGUAGE:
    case OW_VOCATIONAL:
    case OW_ORIENTATION:
        key = "trainingCompleted";
        json_decref(b);
        b = training_json(&c, what);
        break;
    case OW_CONTRACT: {
        key = "contractRegistered";
        sim_set_str(b, "contractNo", cno);
        sim_set_str(b, "form", mk->eps ? "OUTBOUND_FORM_PUBLIC_UNIT"
                                       : "OUTBOUND_FORM_SERVICE_ENTERPRISE");
        sim_set_str(b, "serviceEnterpriseCode", c.snd->code);
        sim_set_str(b, "serviceLicenceNo", c.snd->licence);
        sim_set_fmt(b, "supplyContractNo", "CU-%s-%04d/%03u", mk->country, year_of(day),
                    c.employer + 1);
        sim_set_str(b, "destinationCountry", mk->country);
        sim_set_str(b, "foreignEmployerName", mk->employers[c.employer]);
        sim_set_str(b, "workLocation", mk->cities[c.employer]);
        sim_set_str(b, "jobTitle", c.job->title);
        sim_set_str(b, "occupationCode", c.job->occupation);
        sim_set_str(b, "scheme", c.scheme);
        sim_set_date(b, "startDate", c.start_day);
        sim_set_int(b, "durationMonths", c.months);
        json_t *sal = json_object();
        sim_set_str(sal, "currency", mk->currency);
        sim_set_i64(sal, "amountMinor", c.salary * (mk->minor_digits ? 100 : 1));
        sim_set_obj(b, "monthlySalary", sal);
        if (c.fee_m)
            sim_set_i64(b, "serviceFeeVnd", c.fee_m * 1000000);
        if (c.brokerage_m)
            sim_set_i64(b, "brokerageFeeVnd", c.brokerage_m * 1000000);
        if (c.deposit_m) {
            sim_set_i64(b, "depositVnd", c.deposit_m * 1000000);
            sim_set_str(b, "depositBank", o % 2 ? "Agribank Quảng Nam" : "Vietcombank Quảng Nam");
        }
        break;
    }
    case OW_LOAN:
        key = "loanDisbursed";
        sim_set_fmt(b, "loanNo", "NHCS-%04d-%06ld", year_of(c.loan_day), o);
        sim_set_str(b, "programme", c.loan_programme);
        sim_set_i64(b, "amountVnd", c.loan_amount);
        sim_set_int(b, "termMonths", c.months);
        sim_set_int(b, "monthlyInterestRateBp", c.loan_rate_bp);
        sim_set_date(b, "maturityDate", months_end(c.loan_day, c.months) + 1);
        sim_set_str(b, "contractNo", cno);
        break;
    case OW_REPAY: {
        key = "loanRepaid";
        /* Equal principal every six months; the last scheduled payment, or
         * the lump sum after an early return, clears it. */
        unsigned n_inst = c.months / 6 ? c.months / 6 : 1;
        long part = (c.loan_amount / (long)n_inst) / 1000 * 1000;
        long before = c.loan_amount - part * (long)idx;
        int clears = idx + 1 == n_inst || (int)idx >= c.n_sched;
        long principal = clears || part > before ? before : part;
        long interest = before / 10000 * (long)c.loan_rate_bp * 6;
        sim_set_fmt(b, "loanNo", "NHCS-%04d-%06ld", year_of(c.loan_day), o);
        sim_set_i64(b, "principalVnd", principal);
        sim_set_i64(b, "interestVnd", interest);
        sim_set_i64(b, "outstandingPrincipalVnd", before - principal);
        break;
    }
    case OW_SUPPORT: {
        key = "supportPaid";
        const struct support *s = &c.sup[idx];
        sim_set_str(b, "programme", s->programme);
        sim_set_str(b, "kind", s->kind);
        sim_set_i64(b, "amountVnd", s->amount);
        sim_set_fmt(b, "decisionNo", "%ld/QĐ-%s", 100 + o * 3 + idx,
                    s->agency == AG_QN_ETHNIC ? "BDT" : "SLĐTBXH");
        if (c.contract_day && !c.no_contract && s->day >= c.contract_day)
            sim_set_str(b, "contractNo", cno);
        break;
    }
    case OW_DEPART:
        key = "departure";
        sim_set_str(b, "borderGateCode", c.depart_gate);
        sim_set_str(b, "destinationCountry", mk->country);
        if (!c.no_contract) {
            sim_set_str(b, "contractNo", cno);
            sim_set_str(b, "serviceEnterpriseCode", c.snd->code);
        } else if (o % 2) { /* a number nobody registered */
            sim_set_fmt(b, "contractNo", "HĐ-%04d/%06ld-TD", year_of(day), o);
        }
        sim_set_str(b, "passportNumber", pno);
        break;
    case OW_RETURN:
        key = "returnHome";
        sim_set_str(b, "borderGateCode", c.return_gate);
        sim_set_str(b, "fromCountry", mk->country);
        if (!c.no_contract)
            sim_set_str(b, "contractNo", cno);
        sim_set_str(b, "passportNumber", pno);
        break;
    case OW_ENDED:
        key = "contractEnded";
        sim_set_str(b, "contractNo", cno);
        sim_set_str(b, "reason", c.end_reason);
        sim_set_date(b, "liquidationDate", c.liquidation_day);
        if (c.deposit_m)
            sim_set_i64(b, "depositRefundedVnd", c.deposit_m * 1000000);
        if (strcmp(c.end_reason, "CONTRACT_END_REASON_EARLY_OTHER") == 0)
            sim_set_str(b, "note", "Người lao động về nước do hoàn cảnh gia đình");
        break;
    case OW_CASE:
        key = "citizenProtectionCase";
        sim_set_fmt(b, "caseNo", "BHCD-%04d-%06ld", year_of(sim_day_of(c.case_at[0])), o);
        sim_set_str(b, "country", mk->country);
        sim_set_str(b, "incidentType", incidents[c.incident]);
        sim_set_str(b, "status", c.case_status[idx]);
        sim_set_str(b, "mission", mk->mission);
        sim_set_str(b, "contractNo", cno);
        sim_set_str(b, "serviceEnterpriseCode", c.snd->code);
        sim_set_str(b, "summary", incident_summary[c.incident]);
        break;
    case OW_REEMPLOY: {
        key = "reemploymentSupported";
        static const char *const outcomes[] = {
            "REEMPLOYMENT_OUTCOME_EMPLOYED",           "REEMPLOYMENT_OUTCOME_EMPLOYED",
            "REEMPLOYMENT_OUTCOME_EMPLOYED",           "REEMPLOYMENT_OUTCOME_EMPLOYED",
            "REEMPLOYMENT_OUTCOME_SELF_EMPLOYED",      "REEMPLOYMENT_OUTCOME_SELF_EMPLOYED",
            "REEMPLOYMENT_OUTCOME_GOING_ABROAD_AGAIN", "REEMPLOYMENT_OUTCOME_IN_TRAINING",
            "REEMPLOYMENT_OUTCOME_NOT_YET_EMPLOYED",   "REEMPLOYMENT_OUTCOME_DECLINED",
        };
        sim_set_str(b, "jobCentreCode", "DVVL-QNAM");
        json_t *kinds = json_array();
        json_array_append_new(kinds, json_string("REEMPLOYMENT_SUPPORT_KIND_COUNSELLING"));
        if (c.outcome < 4)
            json_array_append_new(kinds, json_string("REEMPLOYMENT_SUPPORT_KIND_JOB_REFERRAL"));
        else if (c.outcome < 6)
            json_array_append_new(kinds, json_string("REEMPLOYMENT_SUPPORT_KIND_START_UP"));
        else if (c.outcome == 7)
            json_array_append_new(kinds, json_string("REEMPLOYMENT_SUPPORT_KIND_TRAINING"));
        sim_set_obj(b, "kinds", kinds);
        sim_set_str(b, "outcome", outcomes[c.outcome]);
        if (c.outcome < 4) {
            sim_set_fmt(b, "employerEnterpriseCode", "40%08llu",
                        (unsigned long long)sim_scramble((uint64_t)o, 8, 0x4000ULL));
            sim_set_str(b, "jobTitle", c.job->title);
            sim_set_str(b, "occupationCode", c.job->occupation);
        }
        break;
    }
    default:
        break;
    }
    assert(key);
    return sim_event(st->occ, sim_subject_citizen(c.id), key, b);
}
