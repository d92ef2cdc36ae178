/* sim_inbound.c — foreign workers in Bình Định: employers, hiring rounds
 * and the workers' own stories.
 *
 * Employers (subject: enterprise) are registered by planning & investment —
 * most in the first 30 days of the period ("already on record"), the rest
 * over the period — in the province's districts (communes where the units
 * file has them), with a VSIC sector, often foreign-invested; about 40% of
 * those registered before 2025-07-01 re-register their address after the
 * reform.
 *
 * A hiring round is one employer wanting 1-8 foreign workers for one
 * position. Under Decree 152 (dossiers before 2025-08-07) it declares its
 * demand to labour, which approves it (sometimes only after a rejection and
 * a second dossier); under Decree 219 demand and permit are one procedure at
 * the People's Committee and the round emits no demand events. When the
 * demand is approved the round's workers start.
 *
 * A worker (subject: foreigner) most often gets a work permit, enters on an
 * LĐ2 visa (airports: police; Quy Nhơn seaport: border guard), declares a
 * residence, gets a residence card, may travel home and back, may have the
 * permit reissued (lost, damaged, new passport), extended once (inside the
 * legal window), or revoked with a listed reason, and leaves when the permit
 * ends. Some are exempt (certificate, LĐ1 visa) or come for a reported short
 * job (DN1 visa). The messy cases are built here: present with an expired or
 * revoked permit, LĐ2 entry with no permit, permits for an employer with no
 * approved demand, a second extension. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim_text.h"
#include "sim_world.h"

/* Random stream purposes. */
enum { P_ARRIVE = 1, P_ATTR, P_PLAN, P_LATE, P_TEXT };

#define D152_LAST (SIM_D219_DAY - 1)

/* ---- tables --------------------------------------------------------------- */

struct position {
    const char *title;
    const char *category;
    const char *occupation; /* VSCO */
};

static const struct position positions[] = {
    { "Giám đốc điều hành", "WORK_CATEGORY_EXECUTIVE", "1120" },
    { "Phó Giám đốc sản xuất", "WORK_CATEGORY_MANAGER", "1321" },
    { "Chuyên gia kỹ thuật sản xuất", "WORK_CATEGORY_EXPERT", "2141" },
    { "Chuyên gia quản lý chất lượng", "WORK_CATEGORY_EXPERT", "2141" },
    { "Kỹ sư cơ khí", "WORK_CATEGORY_EXPERT", "2144" },
    { "Kỹ sư điện", "WORK_CATEGORY_EXPERT", "2151" },
    { "Kỹ thuật viên vận hành máy", "WORK_CATEGORY_TECHNICAL_WORKER", "3115" },
    { "Thợ lắp đặt tua-bin gió", "WORK_CATEGORY_TECHNICAL_WORKER", "7412" },
    { "Quản đốc phân xưởng", "WORK_CATEGORY_MANAGER", "3122" },
    { "Chuyên gia thiết kế mẫu", "WORK_CATEGORY_EXPERT", "2163" },
    { "Giáo viên tiếng Anh", "WORK_CATEGORY_EXPERT", "2353" },
    { "Bếp trưởng", "WORK_CATEGORY_EXPERT", "3434" },
    { "Quản lý khách sạn", "WORK_CATEGORY_MANAGER", "1411" },
    { "Kỹ thuật viên điện tử", "WORK_CATEGORY_TECHNICAL_WORKER", "3114" },
    { "Chuyên gia chế biến thủy sản", "WORK_CATEGORY_EXPERT", "2145" },
    { "Kỹ sư xây dựng", "WORK_CATEGORY_EXPERT", "2142" },
};

struct sector {
    const char *vsic, *other_vsic; /* VSIC 2018 */
    const char *vi, *en;           /* for the company name */
    const char *project;           /* investment project name stem */
    unsigned weight;
    int fdi_permille;              /* share of foreign-invested employers */
    unsigned char pos[4];          /* positions it hires for */
};

static const struct sector sectors[] = {
    { "3100", "1629", "Chế biến gỗ", "Wood Processing", "Nhà máy chế biến gỗ xuất khẩu", 20, 500,
      { 2, 8, 9, 6 } },
    { "1410", "1430", "May mặc", "Garment", "Nhà máy may xuất khẩu", 14, 700, { 8, 2, 3, 1 } },
    { "1520", "1512", "Giày da", "Footwear", "Nhà máy sản xuất giày xuất khẩu", 8, 850,
      { 8, 2, 3, 0 } },
    { "1020", "1079", "Thủy sản", "Seafood", "Nhà máy chế biến thủy sản", 8, 400,
      { 14, 3, 8, 1 } },
    { "3511", "4321", "Năng lượng tái tạo", "Renewable Energy", "Dự án điện gió", 10, 800,
      { 5, 7, 0, 15 } },
    { "4290", "4312", "Xây dựng", "Construction", "Dự án hạ tầng khu công nghiệp", 8, 600,
      { 15, 4, 0, 6 } },
    { "5510", "5610", "Du lịch", "Resort", "Khu du lịch nghỉ dưỡng", 8, 600, { 12, 11, 0, 10 } },
    { "2592", "2511", "Cơ khí", "Engineering", "Nhà máy cơ khí chính xác", 8, 700,
      { 4, 6, 2, 8 } },
    { "2220", "2013", "Nhựa", "Plastics", "Nhà máy sản xuất bao bì nhựa", 5, 700, { 6, 2, 8, 1 } },
    { "2610", "2790", "Linh kiện điện tử", "Electronics", "Nhà máy linh kiện điện tử", 6, 900,
      { 13, 5, 3, 0 } },
    { "8559", "8560", "Giáo dục", "Education", "Trung tâm ngoại ngữ quốc tế", 5, 300,
      { 10, 10, 0, 10 } },
};
#define N_SECTORS (sizeof sectors / sizeof sectors[0])

static const char *const brand_vi[] = {
    "Hoàng Long", "Phú Tài", "Quy Nhơn", "Hưng Thịnh", "Đại Dương", "Minh Phát", "An Phú",
    "Việt Hàn", "Việt Nhật", "Đài Việt", "Hoa Sen", "Thái Bình Dương", "Nhơn Hội", "Sông Côn",
    "Tây Sơn", "Phương Mai", "Tân Thành", "Kim Long",
};
static const char *const brand_en[] = {
    "Hoang Long", "Phu Tai", "Quy Nhon", "Hung Thinh", "Dai Duong", "Minh Phat", "An Phu",
    "Viet Han", "Viet Nhat", "Dai Viet", "Hoa Sen", "Pacific", "Nhon Hoi", "Song Con",
    "Tay Son", "Phuong Mai", "Tan Thanh", "Kim Long",
};
#define N_BRANDS (sizeof brand_vi / sizeof brand_vi[0])

static const char *const investors[] = { "CHN", "KOR", "TWN", "JPN", "SGP",
                                         "MYS", "USA", "DEU", "THA" };
static const unsigned investor_w[] = { 30, 20, 18, 15, 5, 3, 3, 3, 3 };

static const char *const work_forms[] = {
    "WORK_FORM_LABOUR_CONTRACT", "WORK_FORM_INTRA_CORPORATE_TRANSFER",
    "WORK_FORM_BIDDING_PACKAGE_OR_PROJECT", "WORK_FORM_CONTRACTUAL_SERVICE_SUPPLIER",
};
static const unsigned work_form_w[] = { 70, 15, 10, 5 };

static const char *const streets[] = {
    "Nguyễn Huệ", "Trần Hưng Đạo", "Lê Lợi", "An Dương Vương", "Xuân Diệu", "Tây Sơn",
    "Hùng Vương", "Nguyễn Tất Thành", "Điện Biên Phủ", "Hoàng Văn Thụ",
};
static const char *const lodgings[] = {
    "Khách sạn Hải Âu", "Khách sạn Seagull", "Căn hộ dịch vụ Hoàng Anh", "Nhà ở chuyên gia KCN",
    "Khách sạn Mường Thanh Quy Nhơn", "Căn hộ FLC Sea Tower", "",
};

/* Border gates where foreign workers cross, and who records the crossing. */
static const struct gate {
    const char *code;
    enum sim_agency agency;
    unsigned weight;
} gates[] = {
    { "SBQT-TANSONNHAT", AG_BD_POLICE, 35 }, { "DN-AIRPORT", AG_BD_POLICE, 25 },
    { "SBQT-NOIBAI", AG_BD_POLICE, 20 },     { "SBQT-CAMRANH", AG_BD_POLICE, 5 },
    { "BD-QUYNHON-PORT", AG_BD_BORDER_GUARD, 15 },
};
#define N_GATES (sizeof gates / sizeof gates[0])

static unsigned district_weight(const char *code)
{
    static const struct {
        const char *code;
        unsigned w;
    } t[] = { { "540", 30 }, { "549", 10 }, { "550", 12 }, { "548", 8 }, { "543", 8 },
              { "547", 6 },  { "545", 5 },  { "544", 3 },  { "542", 2 }, { "546", 2 },
              { "551", 2 } };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].code, code) == 0)
            return t[i].w;
    return 3;
}

static const char *park_of(const char *district, struct sim_rng *r)
{
    static const char *const qn[] = { "KCN Phú Tài", "KCN Long Mỹ", "KKT Nhơn Hội" };
    if (strcmp(district, "540") == 0)
        return SIM_PICK(r, qn);
    if (strcmp(district, "549") == 0)
        return "KCN Nhơn Hòa";
    if (strcmp(district, "550") == 0)
        return "KCN Becamex VSIP Bình Định";
    if (strcmp(district, "548") == 0)
        return "KCN Cát Trinh";
    return "Cụm công nghiệp địa phương";
}

/* Agency deciding on foreign-worker dossiers on a day: labour under Decree
 * 152, the People's Committee under Decree 219. */
static enum sim_agency decider(int32_t day)
{
    return day < SIM_D219_DAY ? AG_BD_LABOUR : AG_BD_COMMITTEE;
}

static int64_t instant(struct sim_rng *r, int32_t day, int from_h, int to_h)
{
    /* To the second, as border and identity systems stamp them. */
    return sim_day_ms(day) + 1000 * sim_range(r, from_h * 3600, to_h * 3600 - 1);
}

static int year_of(int32_t day)
{
    int y;
    unsigned m, d;
    lt_date_to_civil(day, &y, &m, &d);
    return y;
}

/* ==========================================================================
 * Employers
 * ========================================================================== */

struct employer {
    long e;
    int32_t reg_day;
    char code[11];
    const struct sector *sec;
    unsigned brand;
    int joint_stock;
    int fdi;
    const char *investor;       /* nationality of the investor, NULL if domestic */
    struct sim_place place;
    char line[96];              /* head office below the commune */
    unsigned project_no;
    int32_t update_day;         /* re-registration after the reform, or LT_DATE_NONE */
    int32_t violation_day;      /* reporting failure found, or LT_DATE_NONE */
};

/* The first 30 days (or a quarter of a short period) hold the employers
 * already on record. */
static int64_t initial_span(const struct sim_world *w)
{
    int64_t len = w->end_ms - w->start_ms + 1;
    return len / 4 < 30 * SIM_DAY_MS ? len / 4 : 30 * SIM_DAY_MS;
}

int64_t sim_employer_arrival(const struct sim_world *w, long e)
{
    long n = w->cfg->employers, n0 = w->employers_initial;
    int64_t span0 = initial_span(w), len = w->end_ms - w->start_ms + 1;
    struct sim_rng r = sim_rng_for(w->cfg->seed, SIM_EMPLOYER, (uint64_t)e, P_ARRIVE);
    double u = sim_uniform(&r);
    int64_t raw;
    if (e < n0)
        raw = w->start_ms + (int64_t)(((double)e + u) / (double)n0 * (double)span0);
    else
        raw = w->start_ms + span0 +
              (int64_t)(((double)(e - n0) + u) / (double)(n - n0) * (double)(len - span0));
    return sim_day_ms(sim_day_of(raw)); /* arrivals fall on midnights */
}

/* How many employers are on record at instant t (a conservative count: all
 * of them arrived at or before t). */
static long employers_by(const struct sim_world *w, int64_t t)
{
    long n = w->cfg->employers, n0 = w->employers_initial;
    int64_t span0 = initial_span(w), len = w->end_ms - w->start_ms + 1;
    if (t < w->start_ms)
        return 0;
    if (t < w->start_ms + span0)
        return (long)((double)(t - w->start_ms) / (double)span0 * (double)n0);
    if (n == n0)
        return n;
    long c = n0 + (long)((double)(t - w->start_ms - span0) / (double)(len - span0) *
                         (double)(n - n0));
    return c > n ? n : c;
}

static void employer_make(const struct sim_world *w, long e, struct employer *em)
{
    struct sim_rng r = sim_rng_for(w->cfg->seed, SIM_EMPLOYER, (uint64_t)e, P_ATTR);
    memset(em, 0, sizeof *em);
    em->e = e;
    em->reg_day = sim_day_of(sim_employer_arrival(w, e));
    snprintf(em->code, sizeof em->code, "41%08llu",
             (unsigned long long)sim_scramble((uint64_t)e, 8, 0x41ULL));
    unsigned sw[N_SECTORS];
    for (size_t i = 0; i < N_SECTORS; i++)
        sw[i] = sectors[i].weight;
    em->sec = &sectors[sim_weighted(&r, sw, N_SECTORS)];
    em->brand = (unsigned)sim_below(&r, N_BRANDS);
    em->joint_stock = sim_chance(&r, 300);
    em->fdi = sim_chance(&r, em->sec->fdi_permille);
    em->investor = investors[sim_weighted(&r, investor_w, sizeof investor_w /
                                                              sizeof investor_w[0])];
    if (!em->fdi)
        em->investor = NULL;
    /* Where: a district before the reform (a commune of it when the units
     * file knows some), a commune of the province after. */
    const struct lt_unit *prov = sim_unit(w, "52", em->reg_day);
    assert(prov); /* checked when the world was built */
    em->place.province = prov;
    if (em->reg_day < SIM_REFORM_DAY) {
        em->place.district =
            sim_pick_unit(w, &r, LT_UNIT_DISTRICT, "52", em->reg_day, district_weight);
        assert(em->place.district);
        if (sim_chance(&r, 700))
            em->place.commune = sim_pick_unit(w, &r, LT_UNIT_COMMUNE,
                                              em->place.district->code, em->reg_day, NULL);
    } else if (sim_chance(&r, 700)) {
        em->place.commune = sim_pick_unit(w, &r, LT_UNIT_COMMUNE, "52", em->reg_day, NULL);
    }
    const char *dcode = em->place.district ? em->place.district->code : "540";
    /* One draw per statement: argument evaluation order is unspecified. */
    char block = (char)('A' + sim_below(&r, 8));
    unsigned lot = (unsigned)sim_range(&r, 1, 40);
    const char *park = park_of(dcode, &r);
    snprintf(em->line, sizeof em->line, "Lô %c%u, %s", block, lot, park);
    em->project_no = (unsigned)sim_scramble((uint64_t)e, 6, 0x5eedULL);
    em->update_day = LT_DATE_NONE;
    int upd = sim_chance(&r, 400);
    int32_t upd_day = (em->reg_day + 30 > SIM_REFORM_DAY ? em->reg_day + 30 : SIM_REFORM_DAY) +
                      (int32_t)sim_range(&r, 10, 150);
    if (em->reg_day < SIM_REFORM_DAY && upd)
        em->update_day = upd_day;
    em->violation_day = LT_DATE_NONE;
    int viol = sim_chance(&r, 30);
    int32_t viol_day = em->reg_day + (int32_t)sim_range(&r, 200, 800);
    if (viol)
        em->violation_day = viol_day;
}

json_t *sim_employer_event(const struct sim_world *w, long e, int i, struct sim_plan *p)
{
    struct employer em;
    employer_make(w, e, &em);
    p->n = 0;
    sim_plan_add(p, sim_day_ms(em.reg_day), LIENTHONG__V1__EVENT__BODY_EMPLOYER_REGISTERED,
                 AG_BD_PLANNING, 0);
    if (em.update_day != LT_DATE_NONE)
        sim_plan_add(p, sim_day_ms(em.update_day), LIENTHONG__V1__EVENT__BODY_EMPLOYER_REGISTERED,
                     AG_BD_PLANNING, 1);
    if (em.violation_day != LT_DATE_NONE)
        sim_plan_add(p, sim_day_ms(em.violation_day),
                     LIENTHONG__V1__EVENT__BODY_VIOLATION_RECORDED, AG_BD_LABOUR, 0);
    struct sim_rng late = sim_rng_for(w->cfg->seed, SIM_EMPLOYER, (uint64_t)e, P_LATE);
    sim_plan_finish(p, &late, w->cfg->rate_permille[LT_SIM_MESSY_LATE_EVENT]);
    if (i < 0 || i >= p->n || p->s[i].type < 100)
        return NULL;

    const struct sim_step *st = &p->s[i];
    int32_t day = sim_day_of(st->occ);
    struct sim_rng r = sim_rng_for(w->cfg->seed, SIM_EMPLOYER, (uint64_t)e, P_TEXT);
    json_t *b = json_object();
    if (st->type == LIENTHONG__V1__EVENT__BODY_EMPLOYER_REGISTERED) {
        sim_set_fmt(b, "name", "%s %s %s", em.joint_stock ? "Công ty Cổ phần" : "Công ty TNHH",
                    em.sec->vi, brand_vi[em.brand]);
        if (em.fdi)
            sim_set_fmt(b, "foreignName", "%s %s %s", brand_en[em.brand], em.sec->en,
                        em.joint_stock ? "Joint Stock Company" : "Company Limited");
        json_t *addr = json_object();
        sim_set_str(addr, "line", em.line);
        sim_set_obj(addr, "area", sim_area_json(w, &em.place, day));
        sim_set_obj(b, "headOffice", addr);
        sim_set_str(b, "mainSectorCode", em.sec->vsic);
        json_t *other = json_array();
        json_array_append_new(other, json_string(em.sec->other_vsic));
        sim_set_obj(b, "otherSectorCodes", other);
        if (em.fdi) {
            sim_set_fmt(b, "investmentProjectCode", "52%08u", em.project_no);
            sim_set_fmt(b, "investmentProjectName", "%s %s", em.sec->project, brand_vi[em.brand]);
            sim_set_fmt(b, "investmentCertificateNo", "52%08u", em.project_no + 1);
            json_object_set_new(b, "foreignInvested", json_true());
        }
        return sim_event(st->occ, sim_subject_enterprise(em.code), "employerRegistered", b);
    }
    /* The employer's half-yearly report on foreign workers was not filed. */
    sim_set_str(b, "violationType", "VIOLATION_TYPE_EMPLOYER_REPORTING_FAILURE");
    sim_set_fmt(b, "decisionNo", "%ld/QĐ-XPHC", 100 + e);
    json_t *sanctions = json_array();
    json_array_append_new(sanctions, json_string("SANCTION_FINE"));
    sim_set_obj(b, "sanctions", sanctions);
    sim_set_i64(b, "fineVnd", 1000000 * sim_range(&r, 5, 10));
    sim_set_str(b, "legalBasis", "NĐ 12/2022 Đ32 k1");
    sim_set_obj(b, "area", sim_area_json(w, &em.place, day));
    return sim_event(st->occ, sim_subject_enterprise(em.code), "violationRecorded", b);
}

/* ==========================================================================
 * Hiring rounds
 * ========================================================================== */

struct round {
    long r, size;
    int32_t day0;              /* the round's arrival: first dossier */
    struct employer em;
    const struct position *pos;
    const char *work_form;
    int regime152;             /* demand approved separately (Decree 152) */
    int rejected;              /* first dossier rejected, a second one approved */
    int no_demand;             /* messy: 1 rejected and hired anyway, 2 never declared */
    int32_t decl[2], dec[2];   /* declarations and decisions */
    int32_t ready_day;         /* workers start from this day */
};

static int round_starts_at(const struct sim_world *w, long k)
{
    uint64_t h = sim_mix64(w->cfg->seed ^ ((uint64_t)k * 0xa24baed4963ee407ULL));
    return k == 0 || k % 8 == 0 || h % 3 == 0;
}

long sim_round_first(const struct sim_world *w)
{
    return w->cfg->foreign_workers > 0 ? 0 : -1;
}

long sim_round_next(const struct sim_world *w, long r)
{
    for (long k = r + 1; k < w->cfg->foreign_workers; k++)
        if (round_starts_at(w, k))
            return k;
    return -1;
}

static long round_of(const struct sim_world *w, long k)
{
    while (!round_starts_at(w, k))
        k--;
    return k;
}

static long round_size(const struct sim_world *w, long r)
{
    long next = sim_round_next(w, r);
    return (next < 0 ? w->cfg->foreign_workers : next) - r;
}

int64_t sim_round_arrival(const struct sim_world *w, long r)
{
    int64_t from = w->start_ms + initial_span(w);
    struct sim_rng g = sim_rng_for(w->cfg->seed, SIM_ROUND, (uint64_t)r, P_ARRIVE);
    double u = sim_uniform(&g);
    double x = ((double)r + u * (double)round_size(w, r)) / (double)w->cfg->foreign_workers;
    int64_t raw = from + (int64_t)(x * (double)(w->end_ms - from));
    return sim_day_ms(sim_day_of(raw));
}

static void round_make(const struct sim_world *w, long r, struct round *rd)
{
    struct sim_rng g = sim_rng_for(w->cfg->seed, SIM_ROUND, (uint64_t)r, P_ATTR);
    memset(rd, 0, sizeof *rd);
    rd->r = r;
    rd->size = round_size(w, r);
    rd->day0 = sim_day_of(sim_round_arrival(w, r));
    long on_record = employers_by(w, sim_day_ms(rd->day0));
    if (on_record < 1)
        on_record = 1;
    long e = (long)sim_below(&g, (uint64_t)on_record);
    employer_make(w, e, &rd->em);
    long e2 = (long)sim_below(&g, (uint64_t)on_record);
    if (!rd->em.fdi && sim_chance(&g, 500)) /* foreign-invested employers hire more */
        employer_make(w, e2, &rd->em);
    rd->pos = &positions[rd->em.sec->pos[sim_below(&g, 4)]];
    rd->work_form = work_forms[sim_weighted(&g, work_form_w, 4)];
    if (!rd->em.fdi)
        rd->work_form = work_forms[0];
    rd->regime152 = rd->day0 < SIM_D219_DAY;
    int messy = sim_chance(&g, w->cfg->rate_permille[LT_SIM_MESSY_EMPLOYER_NO_DEMAND]);
    int variant = sim_chance(&g, 600) ? 1 : 2;
    int rejected = sim_chance(&g, 80);
    int32_t d1 = (int32_t)sim_range(&g, 12, 25), gap = (int32_t)sim_range(&g, 10, 30),
            d2 = (int32_t)sim_range(&g, 12, 25), wait = (int32_t)sim_range(&g, 5, 20);
    rd->decl[0] = rd->decl[1] = rd->dec[0] = rd->dec[1] = LT_DATE_NONE;
    if (!rd->regime152) {
        rd->ready_day = rd->day0;
        return;
    }
    /* Permits of a messy round must all fall under Decree 152. */
    if (messy && rd->day0 + 150 < SIM_D219_DAY)
        rd->no_demand = variant;
    if (rd->no_demand == 2) {
        rd->ready_day = rd->day0 + wait;
        return;
    }
    rd->decl[0] = rd->day0;
    rd->dec[0] = rd->day0 + d1;
    if (rd->no_demand == 1) {
        rd->ready_day = rd->dec[0] + wait;
    } else if (rejected) {
        rd->rejected = 1;
        rd->decl[1] = rd->dec[0] + gap;
        rd->dec[1] = rd->decl[1] + d2;
        rd->ready_day = rd->dec[1] + 1;
    } else {
        rd->ready_day = rd->dec[0] + 1;
    }
}

/* The demand id of declaration a (0 or 1) and the approval's number. */
static void demand_id(const struct round *rd, int a, char *buf, size_t n)
{
    snprintf(buf, n, "NC-%04d-%07ld%s", year_of(rd->decl[a]), rd->r, a ? "-2" : "");
}

static void approval_no(const struct round *rd, int a, char *buf, size_t n)
{
    int32_t day = rd->dec[a];
    if (decider(day) == AG_BD_LABOUR)
        snprintf(buf, n, "%ld/SLĐTBXH-VL", 1000 + rd->r * 2 + a);
    else
        snprintf(buf, n, "%ld/UBND-VX", 1000 + rd->r * 2 + a);
}

static json_t *position_json(const struct sim_world *w, const struct round *rd, int32_t day)
{
    json_t *p = json_object();
    sim_set_str(p, "jobTitle", rd->pos->title);
    sim_set_str(p, "category", rd->pos->category);
    sim_set_str(p, "workForm", rd->work_form);
    sim_set_str(p, "occupationCode", rd->pos->occupation);
    sim_set_int(p, "count", rd->size);
    int32_t start = rd->day0 + 45;
    sim_set_date(p, "startDate", start);
    sim_set_date(p, "endDate", lt_date_period_end(start, 2));
    sim_set_obj(p, "workArea", sim_area_json(w, &rd->em.place, day));
    sim_set_str(p, "justification",
                "Vị trí đòi hỏi chuyên môn và kinh nghiệm mà lao động trong nước chưa đáp ứng");
    json_t *a = json_array();
    json_array_append_new(a, p);
    return a;
}

json_t *sim_round_event(const struct sim_world *w, long r, int i, struct sim_plan *p)
{
    struct round rd;
    round_make(w, r, &rd);
    p->n = 0;
    for (int a = 0; a < 2; a++) {
        if (rd.decl[a] == LT_DATE_NONE)
            continue;
        sim_plan_add(p, sim_day_ms(rd.decl[a]), LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_DECLARED,
                     decider(rd.decl[a]), (uint32_t)a);
        int refused = a == 0 && (rd.rejected || rd.no_demand == 1);
        sim_plan_add(p, sim_day_ms(rd.dec[a]),
                     refused ? LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_REJECTED
                             : LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_APPROVED,
                     decider(rd.dec[a]), (uint32_t)a);
    }
    for (long k = 0; k < rd.size; k++) {
        assert(p->n < SIM_MAX_STEPS);
        struct sim_step *s = &p->s[p->n++];
        s->occ = s->emit = sim_day_ms(rd.ready_day);
        s->type = SIM_STEP_SPAWN;
        s->agency = 0;
        s->late = 0;
        s->arg = (uint32_t)(r + k);
    }
    struct sim_rng late = sim_rng_for(w->cfg->seed, SIM_ROUND, (uint64_t)r, P_LATE);
    sim_plan_finish(p, &late, w->cfg->rate_permille[LT_SIM_MESSY_LATE_EVENT]);
    if (i < 0 || i >= p->n || p->s[i].type < 100)
        return NULL;

    const struct sim_step *st = &p->s[i];
    int a = (int)st->arg;
    int32_t day = sim_day_of(st->occ);
    char id[48], no[48];
    demand_id(&rd, a, id, sizeof id);
    json_t *b = json_object();
    sim_set_str(b, "demandId", id);
    switch (st->type) {
    case LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_DECLARED:
        sim_set_obj(b, "positions", position_json(w, &rd, day));
        return sim_event(st->occ, sim_subject_enterprise(rd.em.code), "labourDemandDeclared", b);
    case LIENTHONG__V1__EVENT__BODY_LABOUR_DEMAND_APPROVED:
        approval_no(&rd, a, no, sizeof no);
        sim_set_str(b, "decisionNo", no);
        sim_set_obj(b, "positions", position_json(w, &rd, day));
        return sim_event(st->occ, sim_subject_enterprise(rd.em.code), "labourDemandApproved", b);
    default:
        sim_set_fmt(b, "decisionNo", "%ld/SLĐTBXH-VL", 1000 + rd.r * 2 + a);
        sim_set_str(b, "reason",
                    "Báo cáo giải trình chưa chứng minh được vị trí không tuyển được người lao "
                    "động Việt Nam");
        return sim_event(st->occ, sim_subject_enterprise(rd.em.code), "labourDemandRejected", b);
    }
}

/* ==========================================================================
 * Foreign workers
 * ========================================================================== */

enum wtype { WT_PERMIT = 0, WT_CERTIFIED, WT_REPORTED };
enum wmessy { WM_NONE = 0, WM_NO_PERMIT, WM_EXPIRED, WM_REVOKED, WM_SECOND_EXT };
/* What a step is, in its arg: what << 8 | index. */
enum wwhat {
    WW_PERMIT = 1, WW_MOVE, WW_RESIDENCE, WW_CARD, WW_EXTEND, WW_REVOKE, WW_REISSUE,
    WW_CERTIFY, WW_REPORT, WW_VIOLATION,
};
#define WARG(what, idx) ((uint32_t)(what) << 8 | (uint32_t)(idx))

struct move {
    int64_t at;
    int entry;             /* 1 entry, 0 exit */
    const struct gate *gate;
    const char *visa;      /* VISA_PURPOSE_* */
    int visa_no;           /* entries on a visa carry its number */
    int32_t visa_until;
    int32_t stay_until;
};

struct card {
    int32_t day, from, until;
};

struct violation {
    int32_t day;
    const char *type;      /* VIOLATION_TYPE_* */
    enum sim_agency agency;
    int compelled;         /* also SANCTION_COMPELLED_EXIT */
    int64_t fine;
};

struct worker {
    long k;
    struct round rd;
    enum wtype type;
    enum wmessy messy;
    char nat[4];
    char passport[24], passport2[24];
    char name[96];
    int male;
    int32_t birth;
    /* the permit (or exemption) */
    int32_t issued, from, until;   /* until: as issued */
    char doc_no[48];               /* permit, certificate or report number */
    const char *ground;            /* exemptions */
    int32_t reissue_day;           /* LT_DATE_NONE when none */
    int reissue_reason;
    char doc_no2[48];              /* after the reissue */
    int n_ext;
    int32_t ext_app[2], ext_day[2], ext_prev[2], ext_until[2];
    int32_t revoke_day;            /* LT_DATE_NONE when none */
    const char *revoke_reason;
    int recovered;
    /* presence */
    struct move mv[8];
    int n_mv;
    int64_t residence_at;
    int32_t residence_until;
    int lodging;
    unsigned house;
    unsigned street;
    struct card cards[3];
    int n_cards;
    struct violation viol[2];
    int n_viol;
};

static const char *const reissue_reasons[] = {
    "PERMIT_REISSUE_REASON_LOST", "PERMIT_REISSUE_REASON_DAMAGED",
    "PERMIT_REISSUE_REASON_PASSPORT_CHANGED", "PERMIT_REISSUE_REASON_WORKPLACE_CHANGED",
    "PERMIT_REISSUE_REASON_EMPLOYER_NAME_CHANGED",
};
static const unsigned reissue_w[] = { 40, 20, 25, 10, 5 };

static const char *const revoke_reasons[] = {
    "PERMIT_REVOCATION_REASON_LABOUR_CONTRACT_TERMINATED",
    "PERMIT_REVOCATION_REASON_EMPLOYER_CEASED_OPERATION",
    "PERMIT_REVOCATION_REASON_WORK_DIFFERS_FROM_PERMIT",
    "PERMIT_REVOCATION_REASON_DECREE_BREACH",
    "PERMIT_REVOCATION_REASON_SECONDMENT_ENDED",
    "PERMIT_REVOCATION_REASON_PUBLIC_ORDER_BREACH",
};
static const unsigned revoke_w[] = { 55, 10, 10, 10, 10, 5 };

static const char *const cert_grounds[] = {
    "EXEMPTION_GROUND_CAPITAL_CONTRIBUTOR", "EXEMPTION_GROUND_BOARD_MEMBER",
    "EXEMPTION_GROUND_INTRA_CORPORATE_TRANSFER", "EXEMPTION_GROUND_SPOUSE_OF_CITIZEN",
};
static const unsigned cert_w[] = { 35, 10, 45, 10 };

static void add_move(struct worker *wk, int64_t at, int entry, const struct gate *g,
                     const char *visa, int visa_no, int32_t visa_until, int32_t stay_until)
{
    assert(wk->n_mv < (int)(sizeof wk->mv / sizeof wk->mv[0]));
    struct move *m = &wk->mv[wk->n_mv++];
    m->at = at;
    m->entry = entry;
    m->gate = g;
    m->visa = visa;
    m->visa_no = visa_no;
    m->visa_until = visa_until;
    m->stay_until = stay_until;
}

static const struct gate *pick_gate(struct sim_rng *r)
{
    unsigned gw[N_GATES];
    for (size_t i = 0; i < N_GATES; i++)
        gw[i] = gates[i].weight;
    return &gates[sim_weighted(r, gw, N_GATES)];
}

static void add_card(struct worker *wk, int32_t day, int32_t permit_until)
{
    assert(wk->n_cards < 3);
    struct card *c = &wk->cards[wk->n_cards++];
    int32_t two_years = lt_date_period_end(day, 2);
    c->day = day;
    c->from = day;
    c->until = permit_until < two_years ? permit_until : two_years;
}

/* The residence card in force on day (the latest issued), or NULL. */
static const struct card *card_on(const struct worker *wk, int32_t day)
{
    const struct card *c = NULL;
    for (int i = 0; i < wk->n_cards; i++)
        if (wk->cards[i].day <= day && day <= wk->cards[i].until)
            c = &wk->cards[i];
    return c;
}

/* Up to two trips home between first and last (inclusive), each back on the
 * residence card then in force. */
static void add_trips(struct worker *wk, struct sim_rng *r, int32_t first, int32_t last)
{
    int32_t t = first;
    for (int n = 0; n < 2; n++) {
        int go = sim_chance(r, 350);
        int32_t out = t + (int32_t)sim_range(r, 20, 300);
        int32_t back = out + (int32_t)sim_range(r, 5, 20);
        const struct gate *g1 = pick_gate(r), *g2 = pick_gate(r);
        int64_t at1 = instant(r, out, 6, 23), at2 = instant(r, back, 6, 23);
        if (!go || back > last)
            continue;
        const struct card *c = card_on(wk, out);
        const struct card *cb = card_on(wk, back);
        if (!c || !cb || back > cb->until - 5)
            continue;
        add_move(wk, at1, 0, g1, wk->type == WT_CERTIFIED ? "VISA_PURPOSE_LD1" : "VISA_PURPOSE_LD2",
                 0, LT_DATE_NONE, LT_DATE_NONE);
        add_move(wk, at2, 1, g2, "VISA_PURPOSE_RESIDENCE_CARD", 0, LT_DATE_NONE, cb->until);
        t = back;
    }
}

static void add_violation(struct worker *wk, int32_t day, const char *type,
                          enum sim_agency agency, int compelled, int64_t fine)
{
    assert(wk->n_viol < 2);
    struct violation *v = &wk->viol[wk->n_viol++];
    v->day = day;
    v->type = type;
    v->agency = agency;
    v->compelled = compelled;
    v->fine = fine;
}

/* The whole story of worker k; fills *wk and the plan. */
static void worker_make(const struct sim_world *w, long k, struct worker *wk, struct sim_plan *p)
{
    const struct lt_sim_config *cfg = w->cfg;
    struct sim_rng g = sim_rng_for(cfg->seed, SIM_WORKER, (uint64_t)k, P_PLAN);
    struct sim_rng t = sim_rng_for(cfg->seed, SIM_WORKER, (uint64_t)k, P_TEXT);
    memset(wk, 0, sizeof *wk);
    wk->k = k;
    round_make(w, round_of(w, k), &wk->rd);
    const struct round *rd = &wk->rd;
    p->n = 0;

    /* Who. */
    unsigned type_draw = (unsigned)sim_below(&g, 1000);
    wk->type = rd->no_demand || type_draw >= 120 ? WT_PERMIT
               : type_draw < 80                  ? WT_CERTIFIED
                                                 : WT_REPORTED;
    size_t nn = sim_nationality_count();
    unsigned nw[32];
    assert(nn <= 32);
    for (size_t i = 0; i < nn; i++)
        nw[i] = sim_nationality_weight(i);
    size_t nat = sim_weighted(&g, nw, nn);
    if (rd->em.investor && sim_chance(&g, 700))
        nat = sim_nationality_index(rd->em.investor);
    snprintf(wk->nat, sizeof wk->nat, "%s", sim_nationality_code(nat));
    wk->male = sim_chance(&g, 850);
    int age = (int)sim_range(&g, 25, 58);
    wk->birth = rd->ready_day - age * 365 - (int32_t)sim_range(&g, 0, 364);
    sim_foreign_name(&t, wk->nat, wk->male, wk->name, sizeof wk->name);
    sim_passport(wk->nat, (uint64_t)k, &t, wk->passport, sizeof wk->passport);
    sim_passport(wk->nat, (uint64_t)k + 5000000, &t, wk->passport2, sizeof wk->passport2);
    wk->lodging = (int)sim_below(&g, sizeof lodgings / sizeof lodgings[0]);
    wk->house = (unsigned)sim_range(&g, 1, 350);
    wk->street = (unsigned)sim_below(&g, sizeof streets / sizeof streets[0]);
    wk->reissue_day = wk->revoke_day = LT_DATE_NONE;

    /* Fates, all drawn up front so each draw's meaning never shifts. */
    const int *rate = cfg->rate_permille;
    int m_nopermit = sim_chance(&g, rate[LT_SIM_MESSY_LABOUR_VISA_NO_PERMIT]);
    int m_expired = sim_chance(&g, rate[LT_SIM_MESSY_PRESENT_EXPIRED_PERMIT]);
    int m_revoked = sim_chance(&g, rate[LT_SIM_MESSY_PRESENT_REVOKED_PERMIT]);
    int m_second = sim_chance(&g, rate[LT_SIM_MESSY_SECOND_EXTENSION]);
    int f_late_permit = sim_chance(&g, 500);
    int f_extend = sim_chance(&g, 300), f_revoke = sim_chance(&g, 40),
        f_reissue = sim_chance(&g, 40), f_viol = sim_chance(&g, 20),
        f_overstay_viol = sim_chance(&g, 400), f_nopermit_viol = sim_chance(&g, 600);
    int ext_years = sim_chance(&g, 600) ? 2 : 1;
    int years = sim_chance(&g, 700) ? 2 : 1;
    if (wk->type == WT_PERMIT && !rd->no_demand) {
        wk->messy = m_nopermit ? WM_NO_PERMIT
                    : m_expired ? WM_EXPIRED
                    : m_revoked ? WM_REVOKED
                    : m_second  ? WM_SECOND_EXT
                                : WM_NONE;
    }
    if (wk->messy == WM_SECOND_EXT) /* one-year terms, so the case shows within years */
        years = ext_years = 1;
    int32_t ready = rd->ready_day;
    const struct gate *g_in = pick_gate(&g), *g_out = pick_gate(&g);
    int64_t entry_at = 0;
    int32_t entry_day = LT_DATE_NONE;
    int32_t stay_end; /* last day the worker may still travel before leaving */
    int32_t leave_day = LT_DATE_NONE;

    if (wk->type == WT_REPORTED) {
        /* A short job reported to labour: DN1 business visa, no card. */
        wk->issued = ready + (int32_t)sim_range(&g, 2, 20);
        wk->from = wk->issued + (int32_t)sim_range(&g, 3, 10);
        wk->until = wk->from + (int32_t)sim_range(&g, 10, 25);
        wk->ground = sim_chance(&g, 700) ? "EXEMPTION_GROUND_SHORT_TERM_WORK"
                                         : "EXEMPTION_GROUND_INCIDENT_HANDLING";
        snprintf(wk->doc_no, sizeof wk->doc_no, "BC-%04d-%07ld", year_of(wk->issued), k);
        sim_plan_add(p, sim_day_ms(wk->issued),
                     LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXEMPTION_REPORTED,
                     decider(wk->issued), WARG(WW_REPORT, 0));
        entry_day = wk->from - 1;
        entry_at = instant(&g, entry_day, 6, 23);
        add_move(wk, entry_at, 1, g_in, "VISA_PURPOSE_DN1", 1, wk->until + 10, wk->until + 5);
        wk->residence_at = entry_at + 1000 * sim_range(&g, 2 * 3600, 30 * 3600);
        wk->residence_until = wk->until;
        /* Leaves on the last reported working day or the day before. */
        add_move(wk, instant(&g, wk->until - (int32_t)sim_range(&g, 0, 1), 6, 23), 0, g_out,
                 "VISA_PURPOSE_DN1", 0, LT_DATE_NONE, LT_DATE_NONE);
        goto steps;
    }

    if (wk->type == WT_CERTIFIED) {
        wk->issued = ready + (int32_t)sim_range(&g, 3, 30);
        wk->from = wk->issued + (int32_t)sim_range(&g, 1, 10);
        wk->until = lt_date_period_end(wk->from, years);
        wk->ground = cert_grounds[sim_weighted(&g, cert_w, 4)];
        snprintf(wk->doc_no, sizeof wk->doc_no, "52/%04d/XNMGP-%07ld", year_of(wk->issued), k);
        sim_plan_add(p, sim_day_ms(wk->issued),
                     LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXEMPTION_CERTIFIED,
                     decider(wk->issued), WARG(WW_CERTIFY, 0));
        entry_day = wk->issued + (int32_t)sim_range(&g, 5, 25);
        entry_at = instant(&g, entry_day, 6, 23);
        add_move(wk, entry_at, 1, g_in, "VISA_PURPOSE_LD1", 1, entry_day + 89, entry_day + 89);
        wk->residence_at = entry_at + 1000 * sim_range(&g, 2 * 3600, 48 * 3600);
        wk->residence_until = wk->until;
        add_card(wk, entry_day + (int32_t)sim_range(&g, 15, 45), wk->until);
        leave_day = wk->until - (int32_t)sim_range(&g, 0, 15);
        add_trips(wk, &g, wk->cards[0].day, leave_day - 25);
        add_move(wk, instant(&g, leave_day, 6, 23), 0, g_out, "VISA_PURPOSE_LD1", 0,
                 LT_DATE_NONE, LT_DATE_NONE);
        goto steps;
    }

    /* A work permit. Messy: LĐ2 entry before any permit. */
    int32_t permit_day;
    int nopermit_never = wk->messy == WM_NO_PERMIT && !f_late_permit;
    int n = cfg->no_permit_days;
    if (wk->messy == WM_NO_PERMIT) {
        entry_day = ready + (int32_t)sim_range(&g, 3, 20);
        entry_at = instant(&g, entry_day, 6, 23);
        int32_t visa_until = entry_day + (89 > n + 60 ? 89 : n + 60);
        add_move(wk, entry_at, 1, g_in, "VISA_PURPOSE_LD2", 1, visa_until, visa_until);
        wk->residence_at = entry_at + 1000 * sim_range(&g, 2 * 3600, 48 * 3600);
        wk->residence_until = visa_until;
        sim_plan_mark(p, sim_day_ms(entry_day + n + 1), LT_SIM_MESSY_LABOUR_VISA_NO_PERMIT);
        if (nopermit_never) {
            int32_t vday = entry_day + n + (int32_t)sim_range(&g, 10, 30);
            int32_t out = visa_until - (int32_t)sim_range(&g, 0, 5);
            if (f_nopermit_viol && vday < out) {
                add_violation(wk, vday, "VIOLATION_TYPE_WORKING_WITHOUT_PERMIT", AG_BD_LABOUR, 1,
                              1000000 * sim_range(&g, 15, 25));
                out = vday + (int32_t)sim_range(&g, 5, 15);
                if (out > visa_until)
                    out = visa_until;
            }
            add_move(wk, instant(&g, out, 6, 23), 0, g_out, "VISA_PURPOSE_LD2", 0, LT_DATE_NONE,
                     LT_DATE_NONE);
            goto steps;
        }
        permit_day = entry_day + n + (int32_t)sim_range(&g, 5, 30);
        wk->issued = permit_day;
        wk->from = permit_day;
    } else {
        permit_day = ready + (int32_t)(rd->regime152 ? sim_range(&g, 5, 60)
                                                     : sim_range(&g, 10, 25));
        wk->issued = permit_day;
        wk->from = permit_day + (int32_t)sim_range(&g, 3, 20);
    }
    wk->until = lt_date_period_end(wk->from, years);
    snprintf(wk->doc_no, sizeof wk->doc_no, "52/%04d/GPLĐ-%07ld", year_of(wk->issued), k);
    sim_plan_add(p, sim_day_ms(wk->issued), LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_ISSUED,
                 decider(wk->issued), WARG(WW_PERMIT, 0));
    if (rd->no_demand)
        sim_plan_mark(p, sim_day_ms(wk->issued), LT_SIM_MESSY_EMPLOYER_NO_DEMAND);
    int32_t card_day;
    if (entry_day == LT_DATE_NONE) {
        entry_day = permit_day + (int32_t)sim_range(&g, 7, 30);
        entry_at = instant(&g, entry_day, 6, 23);
        add_move(wk, entry_at, 1, g_in, "VISA_PURPOSE_LD2", 1, entry_day + 89, entry_day + 89);
        wk->residence_at = entry_at + 1000 * sim_range(&g, 2 * 3600, 48 * 3600);
        card_day = entry_day + (int32_t)sim_range(&g, 15, 45);
    } else {
        card_day = permit_day + (int32_t)sim_range(&g, 3, 10);
    }
    wk->residence_until = wk->until;
    add_card(wk, card_day, wk->until);

    /* The permit's life: reissue, revocation or extensions, then leaving. */
    int32_t final_until = wk->until;
    int32_t r_day = card_day + (int32_t)sim_range(&g, 30, 300);
    int reason = (int)sim_weighted(&g, reissue_w, 5);
    if (f_reissue && r_day < wk->until - 60) {
        wk->reissue_day = r_day;
        wk->reissue_reason = reason;
        snprintf(wk->doc_no2, sizeof wk->doc_no2, "52/%04d/GPLĐ-%07ld-CL", year_of(r_day), k);
    }
    int32_t rv_day = card_day + (int32_t)sim_range(&g, 30, 400);
    const char *rv_reason = revoke_reasons[sim_weighted(&g, revoke_w, 6)];
    int recovered = sim_chance(&g, 700);
    int revoke = (wk->messy == WM_REVOKED || (wk->messy == WM_NONE && f_revoke)) &&
                 rv_day < wk->until - 40 &&
                 (wk->reissue_day == LT_DATE_NONE || rv_day > wk->reissue_day);
    int extend = !revoke && wk->messy != WM_EXPIRED && (wk->messy == WM_SECOND_EXT || f_extend);
    /* (Initializer lists are not sequenced: one draw per statement.) */
    int32_t left[2], decide[2], card_wait[2];
    for (int x = 0; x < 2; x++) {
        left[x] = (int32_t)sim_range(&g, 10, 45);
        decide[x] = (int32_t)sim_range(&g, 2, 8);
        card_wait[x] = (int32_t)sim_range(&g, 3, 15);
    }
    if (revoke) {
        wk->revoke_day = rv_day;
        wk->revoke_reason = rv_reason;
        wk->recovered = recovered;
        sim_plan_add(p, sim_day_ms(rv_day), LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_REVOKED,
                     decider(rv_day), WARG(WW_REVOKE, 0));
        stay_end = rv_day;
        if (wk->messy == WM_REVOKED) {
            sim_plan_mark(p, sim_day_ms(rv_day + 30), LT_SIM_MESSY_PRESENT_REVOKED_PERMIT);
        } else {
            leave_day = rv_day + (int32_t)sim_range(&g, 5, 25);
        }
    } else {
        int n_ext = extend ? (wk->messy == WM_SECOND_EXT ? 2 : 1) : 0;
        for (int x = 0; x < n_ext; x++) {
            int32_t prev = final_until;
            wk->ext_prev[x] = prev;
            wk->ext_app[x] = prev - left[x];
            int32_t dmax = left[x] - 1 < decide[x] ? left[x] - 1 : decide[x];
            wk->ext_day[x] = wk->ext_app[x] + dmax;
            wk->ext_until[x] = lt_date_period_end(prev + 1, x == 0 ? ext_years : 1);
            final_until = wk->ext_until[x];
            wk->n_ext++;
            sim_plan_add(p, sim_day_ms(wk->ext_day[x]),
                         LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_EXTENDED,
                         decider(wk->ext_day[x]), WARG(WW_EXTEND, x));
            if (x == 1)
                sim_plan_mark(p, sim_day_ms(wk->ext_day[x]), LT_SIM_MESSY_SECOND_EXTENSION);
            add_card(wk, wk->ext_day[x] + card_wait[x], final_until);
        }
        wk->residence_until = final_until;
        stay_end = final_until;
        if (wk->messy == WM_EXPIRED) {
            sim_plan_mark(p, sim_day_ms(final_until + 1), LT_SIM_MESSY_PRESENT_EXPIRED_PERMIT);
            int32_t vday = final_until + (int32_t)sim_range(&g, 30, 90);
            int64_t fine = 500000 * sim_range(&g, 2, 6);
            if (f_overstay_viol)
                add_violation(wk, vday, "VIOLATION_TYPE_OVERSTAY", AG_BD_POLICE, 0, fine);
        } else {
            leave_day = final_until - (int32_t)sim_range(&g, 0, 15);
            stay_end = leave_day;
        }
    }
    if (wk->reissue_day != LT_DATE_NONE)
        sim_plan_add(p, sim_day_ms(wk->reissue_day),
                     LIENTHONG__V1__EVENT__BODY_WORK_PERMIT_REISSUED,
                     decider(wk->reissue_day), WARG(WW_REISSUE, 0));
    add_trips(wk, &g, card_day, stay_end - 25);
    if (f_viol && wk->n_viol < 2) {
        int32_t vday = entry_day + (int32_t)sim_range(&g, 10, 60);
        if (vday < stay_end)
            add_violation(wk, vday, "VIOLATION_TYPE_RESIDENCE_NOT_DECLARED", AG_BD_POLICE, 0,
                          500000 * sim_range(&g, 1, 4));
    }
    if (leave_day != LT_DATE_NONE)
        add_move(wk, instant(&g, leave_day, 6, 23), 0, g_out, "VISA_PURPOSE_LD2", 0,
                 LT_DATE_NONE, LT_DATE_NONE);

steps:
    for (int i = 0; i < wk->n_mv; i++)
        sim_plan_add(p, wk->mv[i].at,
                     wk->mv[i].entry ? LIENTHONG__V1__EVENT__BODY_ENTRY
                                     : LIENTHONG__V1__EVENT__BODY_EXIT,
                     wk->mv[i].gate->agency, WARG(WW_MOVE, i));
    if (wk->residence_at)
        sim_plan_add(p, wk->residence_at, LIENTHONG__V1__EVENT__BODY_RESIDENCE_REGISTERED,
                     AG_BD_POLICE, WARG(WW_RESIDENCE, 0));
    for (int i = 0; i < wk->n_cards; i++)
        sim_plan_add(p, sim_day_ms(wk->cards[i].day),
                     LIENTHONG__V1__EVENT__BODY_RESIDENCE_CARD_ISSUED, AG_BD_POLICE,
                     WARG(WW_CARD, i));
    for (int i = 0; i < wk->n_viol; i++)
        sim_plan_add(p, sim_day_ms(wk->viol[i].day), LIENTHONG__V1__EVENT__BODY_VIOLATION_RECORDED,
                     wk->viol[i].agency, WARG(WW_VIOLATION, i));
    struct sim_rng late = sim_rng_for(cfg->seed, SIM_WORKER, (uint64_t)k, P_LATE);
    sim_plan_finish(p, &late, cfg->rate_permille[LT_SIM_MESSY_LATE_EVENT]);
}

/* The permit number in force on day (a reissue renumbers it). */
static const char *doc_on(const struct worker *wk, int32_t day)
{
    return wk->reissue_day != LT_DATE_NONE && day >= wk->reissue_day ? wk->doc_no2 : wk->doc_no;
}

/* The passport in use on day (a reissue for a new passport switches it). */
static const char *passport_on(const struct worker *wk, int32_t day)
{
    return wk->reissue_day != LT_DATE_NONE && day >= wk->reissue_day &&
                   wk->reissue_reason == 2
               ? wk->passport2
               : wk->passport;
}

static json_t *address_json(const struct sim_world *w, const struct worker *wk, int32_t day)
{
    json_t *a = json_object();
    if (wk->rd.em.place.district && strcmp(wk->rd.em.place.district->code, "540") != 0)
        sim_set_fmt(a, "line", "Khu nhà ở chuyên gia, %s", wk->rd.em.line);
    else
        sim_set_fmt(a, "line", "Số %u đường %s", wk->house, streets[wk->street]);
    sim_set_obj(a, "area", sim_area_json(w, &wk->rd.em.place, day));
    return a;
}

static json_t *terms_json(const struct sim_world *w, const struct worker *wk, int32_t day,
                          int32_t from, int32_t until)
{
    json_t *t = json_object();
    sim_set_str(t, "employerEnterpriseCode", wk->rd.em.code);
    sim_set_obj(t, "person", sim_person(wk->name, wk->birth, wk->male));
    const struct position *pos = wk->rd.pos;
    const char *form = wk->rd.work_form;
    if (wk->type == WT_CERTIFIED) {
        if (strcmp(wk->ground, "EXEMPTION_GROUND_INTRA_CORPORATE_TRANSFER") == 0)
            form = "WORK_FORM_INTRA_CORPORATE_TRANSFER";
        else if (strcmp(wk->ground, "EXEMPTION_GROUND_SPOUSE_OF_CITIZEN") != 0) {
            pos = &positions[0];
            form = "WORK_FORM_MANAGER_EXECUTIVE_EXPERT_TECHNICIAN";
        }
    } else if (wk->type == WT_REPORTED) {
        pos = &positions[2];
        form = "WORK_FORM_CONTRACTUAL_SERVICE_SUPPLIER";
    }
    sim_set_str(t, "jobTitle", pos->title);
    sim_set_str(t, "category", pos->category);
    sim_set_str(t, "workForm", form);
    sim_set_str(t, "occupationCode", pos->occupation);
    sim_set_obj(t, "workArea", sim_area_json(w, &wk->rd.em.place, day));
    json_t *place = json_object();
    sim_set_str(place, "line", wk->rd.em.line);
    sim_set_obj(place, "area", sim_area_json(w, &wk->rd.em.place, day));
    json_t *list = json_array();
    json_array_append_new(list, place);
    sim_set_obj(t, "workplaces", list);
    sim_set_date(t, "validFrom", from);
    sim_set_date(t, "validUntil", until);
    return t;
}

json_t *sim_worker_event(const struct sim_world *w, long k, int i, struct sim_plan *p)
{
    struct worker wk;
    worker_make(w, k, &wk, p);
    if (i < 0 || i >= p->n || p->s[i].type < 100)
        return NULL;

    const struct sim_step *st = &p->s[i];
    int32_t day = sim_day_of(st->occ);
    unsigned what = st->arg >> 8, idx = st->arg & 0xff;
    json_t *subj = sim_subject_foreigner(wk.nat, passport_on(&wk, day));
    json_t *b = json_object();
    const char *key = NULL;
    switch (what) {
    case WW_PERMIT:
        key = "workPermitIssued";
        sim_set_str(b, "permitNo", wk.doc_no);
        sim_set_obj(b, "terms", terms_json(w, &wk, day, wk.from, wk.until));
        if (wk.rd.decl[0] != LT_DATE_NONE) {
            char id[48];
            demand_id(&wk.rd, wk.rd.rejected ? 1 : 0, id, sizeof id);
            sim_set_str(b, "demandId", id);
        }
        if (day < SIM_D219_DAY) { /* Decree 152: the demand approval's number */
            char no[48];
            if (wk.rd.no_demand)
                snprintf(no, sizeof no, "%ld/CV-SLĐTBXH", 500 + wk.rd.r);
            else
                approval_no(&wk.rd, wk.rd.rejected ? 1 : 0, no, sizeof no);
            sim_set_str(b, "demandDecisionNo", no);
        }
        break;
    case WW_CERTIFY:
        key = "workPermitExemptionCertified";
        sim_set_str(b, "certificateNo", wk.doc_no);
        sim_set_str(b, "ground", wk.ground);
        sim_set_obj(b, "terms", terms_json(w, &wk, day, wk.from, wk.until));
        break;
    case WW_REPORT:
        key = "workPermitExemptionReported";
        sim_set_str(b, "reportRef", wk.doc_no);
        sim_set_str(b, "ground", wk.ground);
        sim_set_obj(b, "terms", terms_json(w, &wk, day, wk.from, wk.until));
        break;
    case WW_REISSUE: {
        key = "workPermitReissued";
        int32_t until = wk.until; /* the validity of the permit it replaces */
        for (int x = 0; x < wk.n_ext; x++)
            if (wk.ext_day[x] <= wk.reissue_day)
                until = wk.ext_until[x];
        sim_set_str(b, "permitNo", wk.doc_no2);
        sim_set_str(b, "previousPermitNo", wk.doc_no);
        sim_set_str(b, "reason", reissue_reasons[wk.reissue_reason]);
        sim_set_obj(b, "terms", terms_json(w, &wk, day, wk.reissue_day, until));
        if (wk.reissue_reason == 2)
            sim_set_str(b, "previousPassportNumber", wk.passport);
        break;
    }
    case WW_EXTEND:
        key = "workPermitExtended";
        sim_set_str(b, "permitNo", doc_on(&wk, day));
        sim_set_date(b, "applicationDate", wk.ext_app[idx]);
        sim_set_date(b, "previousValidUntil", wk.ext_prev[idx]);
        sim_set_date(b, "validUntil", wk.ext_until[idx]);
        break;
    case WW_REVOKE:
        key = "workPermitRevoked";
        sim_set_str(b, "permitNo", doc_on(&wk, day));
        sim_set_str(b, "reason", wk.revoke_reason);
        sim_set_fmt(b, "decisionNo", "%ld/QĐ-%s", 200 + k,
                    decider(day) == AG_BD_LABOUR ? "SLĐTBXH" : "UBND");
        sim_set_date(b, "effectiveDate", wk.revoke_day);
        if (wk.recovered)
            json_object_set_new(b, "permitRecovered", json_true());
        break;
    case WW_MOVE: {
        const struct move *m = &wk.mv[idx];
        sim_set_str(b, "borderGateCode", m->gate->code);
        sim_set_str(b, "visaPurpose", m->visa);
        if (m->entry) {
            key = "entry";
            if (m->visa_no) {
                sim_set_fmt(b, "visaNo", "V%08llu",
                            (unsigned long long)sim_scramble((uint64_t)k * 4 + idx, 8, 0x7157ULL));
                sim_set_date(b, "visaValidUntil", m->visa_until);
            }
            sim_set_date(b, "permittedStayUntil", m->stay_until);
            sim_set_str(b, "sponsorEnterpriseCode", wk.rd.em.code);
            sim_set_obj(b, "person", sim_person(wk.name, wk.birth, wk.male));
        } else {
            key = "exit";
            sim_set_str(b, "destinationCountry", wk.nat);
        }
        break;
    }
    case WW_RESIDENCE:
        key = "residenceRegistered";
        sim_set_obj(b, "address", address_json(w, &wk, day));
        sim_set_str(b, "accommodationName", lodgings[wk.lodging]);
        sim_set_date(b, "validFrom", day);
        if (wk.residence_until >= day)
            sim_set_date(b, "validUntil", wk.residence_until);
        break;
    case WW_CARD: {
        key = "residenceCardIssued";
        const struct card *c = &wk.cards[idx];
        sim_set_fmt(b, "cardNo", "TT%08llu",
                    (unsigned long long)sim_scramble((uint64_t)k * 4 + idx, 8, 0xca7dULL));
        sim_set_str(b, "cardPurpose",
                    wk.type == WT_CERTIFIED ? "VISA_PURPOSE_LD1" : "VISA_PURPOSE_LD2");
        sim_set_str(b, "sponsorEnterpriseCode", wk.rd.em.code);
        sim_set_obj(b, "address", address_json(w, &wk, day));
        sim_set_date(b, "validFrom", c->from);
        sim_set_date(b, "validUntil", c->until);
        sim_set_str(b, "permitNo", doc_on(&wk, day));
        break;
    }
    case WW_VIOLATION: {
        key = "violationRecorded";
        const struct violation *v = &wk.viol[idx];
        sim_set_str(b, "violationType", v->type);
        sim_set_fmt(b, "decisionNo", "%ld/QĐ-XPHC", 300 + k * 2 + idx);
        json_t *s = json_array();
        json_array_append_new(s, json_string("SANCTION_FINE"));
        if (v->compelled)
            json_array_append_new(s, json_string("SANCTION_COMPELLED_EXIT"));
        sim_set_obj(b, "sanctions", s);
        sim_set_i64(b, "fineVnd", v->fine);
        sim_set_str(b, "legalBasis", v->agency == AG_BD_POLICE ? "NĐ 144/2021 Đ18 k1"
                                                               : "NĐ 12/2022 Đ32 k3");
        sim_set_str(b, "employerEnterpriseCode", wk.rd.em.code);
        if (wk.type == WT_PERMIT && wk.messy != WM_NO_PERMIT)
            sim_set_str(b, "permitNo", doc_on(&wk, day));
        sim_set_obj(b, "area", sim_area_json(w, &wk.rd.em.place, day));
        break;
    }
    default:
        break;
    }
    assert(key);
    return sim_event(st->occ, subj, key, b);
}
