/* sim_text.c — names and passport numbers for synthetic persons.
 *
 * Vietnamese names follow the usual shape family + middle + given, with the
 * family names weighted roughly as in the population (Nguyễn about a third).
 * Foreign workers' nationalities are weighted like the foreign workforce of a
 * central-coast province (Chinese, Korean, Taiwanese and Japanese investors'
 * staff first). Passport numbers follow each country's printed pattern; the
 * digits encode a number unique per person, so two persons never share a
 * passport by accident (a collision would merge their histories). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim_text.h"

const char *sim_pick(struct sim_rng *r, const char *const *list, size_t n)
{
    assert(n > 0);
    return list[sim_below(r, n)];
}

/* ---- Vietnamese names ----------------------------------------------------- */

static const char *const vn_family[] = {
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đoàn", "Lương",
};
static const unsigned vn_family_w[] = {
    31, 11, 9, 7, 5, 3, 4, 5, 2, 2, 2, 2, 1, 1, 1, 2, 1, 1,
};
static const char *const vn_middle_m[] = {
    "Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thành", "Ngọc", "Xuân", "Văn", "Văn",
};
static const char *const vn_middle_f[] = {
    "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Hồng", "Thùy", "Thị", "Thị",
};
static const char *const vn_given_m[] = {
    "Anh", "Bảo", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
    "Khang", "Khoa", "Lâm", "Long", "Lực", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân",
    "Sơn", "Tài", "Thắng", "Thịnh", "Tiến", "Toàn", "Trung", "Tuấn", "Vinh", "Vũ", "Đức",
};
static const char *const vn_given_f[] = {
    "An", "Anh", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương",
    "Huyền", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương",
    "Quyên", "Tâm", "Thảo", "Trang", "Trinh", "Uyên", "Vân", "Vy", "Yến",
};

void sim_vn_name(struct sim_rng *r, int male, char *buf, size_t n)
{
    const char *fam = vn_family[sim_weighted(r, vn_family_w, sizeof vn_family_w /
                                                                 sizeof vn_family_w[0])];
    const char *mid = male ? SIM_PICK(r, vn_middle_m) : SIM_PICK(r, vn_middle_f);
    const char *giv = male ? SIM_PICK(r, vn_given_m) : SIM_PICK(r, vn_given_f);
    if (sim_chance(r, 250)) { /* a second middle name: "Nguyễn Thị Thu Hà" */
        const char *mid2 = male ? SIM_PICK(r, vn_middle_m) : SIM_PICK(r, vn_middle_f);
        if (strcmp(mid2, mid) != 0) {
            snprintf(buf, n, "%s %s %s %s", fam, mid, mid2, giv);
            return;
        }
    }
    snprintf(buf, n, "%s %s %s", fam, mid, giv);
}

/* ---- foreign workers ------------------------------------------------------ */

struct nat {
    const char *code;
    unsigned weight;
    int family_first;            /* name printed family name first */
    const char *passport;        /* pattern: 'A' letter, '9' digit, other literal */
    const char *const *family;
    size_t n_family;
    const char *const *male;
    size_t n_male;
    const char *const *female;
    size_t n_female;
};

#define LIST(a) a, sizeof a / sizeof a[0]

static const char *const chn_f[] = { "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang",
                                     "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu" };
static const char *const chn_m[] = { "Wei", "Jun", "Lei", "Hao", "Yong", "Jie", "Qiang",
                                     "Xiaoming", "Jianguo", "Haitao", "Zhiwei", "Peng" };
static const char *const chn_w[] = { "Fang", "Min", "Jing", "Li", "Yan", "Xiaoli", "Hong" };
static const char *const kor_f[] = { "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho",
                                     "Yoon", "Jang", "Lim" };
static const char *const kor_m[] = { "Min-jun", "Ji-hoon", "Hyun-woo", "Dong-hyun",
                                     "Sung-min", "Jae-won", "Young-ho", "Sang-woo" };
static const char *const kor_w[] = { "Seo-yeon", "Ji-woo", "Min-ji", "Eun-ji", "Hye-jin" };
static const char *const jpn_f[] = { "Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe",
                                     "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato" };
static const char *const jpn_m[] = { "Hiroshi", "Takeshi", "Kenji", "Daisuke", "Akira",
                                     "Shota", "Kazuki", "Makoto" };
static const char *const jpn_w[] = { "Yuki", "Naoko", "Yoko", "Ayumi", "Keiko" };
static const char *const twn_f[] = { "Chen", "Lin", "Huang", "Chang", "Lee", "Wang", "Wu",
                                     "Liu", "Tsai", "Yang" };
static const char *const twn_m[] = { "Chih-Ming", "Wen-Hsiung", "Chia-Hao", "Chun-Hung",
                                     "Kuo-Liang", "Yu-Cheng" };
static const char *const twn_w[] = { "Mei-Ling", "Yu-Ting", "Shu-Fen", "Hsiu-Ying" };
static const char *const ind_f[] = { "Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy",
                                     "Nair", "Iyer" };
static const char *const ind_m[] = { "Rahul", "Amit", "Vikram", "Suresh", "Anil", "Rajesh" };
static const char *const ind_w[] = { "Priya", "Anjali", "Deepa", "Kavita" };
static const char *const phl_f[] = { "Santos", "Reyes", "Cruz", "Bautista", "Garcia",
                                     "Mendoza", "Ramos" };
static const char *const phl_m[] = { "Jose", "Mark", "John Paul", "Rodel", "Arnel" };
static const char *const phl_w[] = { "Maria", "Rowena", "Cristina", "Joy" };
static const char *const tha_f[] = { "Saetang", "Srisuk", "Wongsa", "Chaiyaporn",
                                     "Kongkaew" };
static const char *const tha_m[] = { "Somchai", "Nattapong", "Kittisak", "Anan" };
static const char *const tha_w[] = { "Suda", "Malee", "Siriporn" };
static const char *const usa_f[] = { "Smith", "Johnson", "Williams", "Brown", "Miller",
                                     "Davis", "Wilson" };
static const char *const usa_m[] = { "James", "Michael", "Robert", "David", "Daniel" };
static const char *const usa_w[] = { "Jennifer", "Sarah", "Jessica", "Emily" };
static const char *const deu_f[] = { "Müller", "Schmidt", "Schneider", "Fischer", "Weber",
                                     "Wagner", "Becker" };
static const char *const deu_m[] = { "Thomas", "Andreas", "Stefan", "Michael", "Jürgen" };
static const char *const deu_w[] = { "Julia", "Katrin", "Sabine", "Anja" };
static const char *const gbr_f[] = { "Smith", "Jones", "Taylor", "Brown", "Evans" };
static const char *const gbr_m[] = { "Oliver", "George", "Harry", "Paul" };
static const char *const gbr_w[] = { "Emma", "Sophie", "Charlotte" };
static const char *const fra_f[] = { "Martin", "Bernard", "Dubois", "Thomas", "Robert" };
static const char *const fra_m[] = { "Nicolas", "Julien", "Pierre", "Étienne" };
static const char *const fra_w[] = { "Camille", "Élodie", "Claire" };
static const char *const rus_f[] = { "Ivanov", "Smirnov", "Kuznetsov", "Popov" };
static const char *const rus_m[] = { "Sergei", "Dmitry", "Alexei", "Andrei" };
static const char *const rus_w[] = { "Olga", "Natalia", "Elena" };
static const char *const mys_f[] = { "Tan", "Lim", "Wong", "Abdullah", "Rahman" };
static const char *const mys_m[] = { "Ahmad", "Kok Wai", "Farid", "Chee Keong" };
static const char *const mys_w[] = { "Siti", "Mei Ling", "Nurul" };
static const char *const idn_f[] = { "Santoso", "Wijaya", "Hidayat", "Saputra" };
static const char *const idn_m[] = { "Budi", "Agus", "Eko", "Rudi" };
static const char *const idn_w[] = { "Dewi", "Sri", "Putri" };
static const char *const sgp_f[] = { "Tan", "Lim", "Ng", "Lee", "Goh" };
static const char *const sgp_m[] = { "Wei Ming", "Jun Jie", "Kok Leong" };
static const char *const sgp_w[] = { "Hui Min", "Li Ting" };
static const char *const aus_f[] = { "Smith", "Jones", "Williams", "Nguyen", "Taylor" };
static const char *const aus_m[] = { "Jack", "Liam", "Lachlan", "Matthew" };
static const char *const aus_w[] = { "Chloe", "Olivia", "Isla" };

static const struct nat nats[] = {
    { "CHN", 300, 1, "E99999999", LIST(chn_f), LIST(chn_m), LIST(chn_w) },
    { "KOR", 170, 1, "M99999999", LIST(kor_f), LIST(kor_m), LIST(kor_w) },
    { "TWN", 110, 1, "399999999", LIST(twn_f), LIST(twn_m), LIST(twn_w) },
    { "JPN", 100, 1, "TA9999999", LIST(jpn_f), LIST(jpn_m), LIST(jpn_w) },
    { "IND", 60, 0, "A9999999", LIST(ind_f), LIST(ind_m), LIST(ind_w) },
    { "PHL", 50, 0, "P9999999A", LIST(phl_f), LIST(phl_m), LIST(phl_w) },
    { "THA", 35, 0, "AA9999999", LIST(tha_f), LIST(tha_m), LIST(tha_w) },
    { "USA", 30, 0, "599999999", LIST(usa_f), LIST(usa_m), LIST(usa_w) },
    { "DEU", 25, 0, "C99999999", LIST(deu_f), LIST(deu_m), LIST(deu_w) },
    { "GBR", 20, 0, "199999999", LIST(gbr_f), LIST(gbr_m), LIST(gbr_w) },
    { "MYS", 25, 1, "A99999999", LIST(mys_f), LIST(mys_m), LIST(mys_w) },
    { "IDN", 20, 0, "X9999999", LIST(idn_f), LIST(idn_m), LIST(idn_w) },
    { "SGP", 15, 1, "K9999999A", LIST(sgp_f), LIST(sgp_m), LIST(sgp_w) },
    { "FRA", 15, 0, "99AA99999", LIST(fra_f), LIST(fra_m), LIST(fra_w) },
    { "RUS", 15, 0, "799999999", LIST(rus_f), LIST(rus_m), LIST(rus_w) },
    { "AUS", 10, 0, "PA9999999", LIST(aus_f), LIST(aus_m), LIST(aus_w) },
};

size_t sim_nationality_count(void)
{
    return sizeof nats / sizeof nats[0];
}

const char *sim_nationality_code(size_t i)
{
    return nats[i].code;
}

unsigned sim_nationality_weight(size_t i)
{
    return nats[i].weight;
}

size_t sim_nationality_index(const char *code)
{
    for (size_t i = 0; i < sizeof nats / sizeof nats[0]; i++)
        if (strcmp(nats[i].code, code) == 0)
            return i;
    return 0;
}

void sim_foreign_name(struct sim_rng *r, const char *nationality, int male, char *buf, size_t n)
{
    const struct nat *t = &nats[sim_nationality_index(nationality)];
    const char *fam = t->family[sim_below(r, t->n_family)];
    const char *giv = male ? t->male[sim_below(r, t->n_male)]
                           : t->female[sim_below(r, t->n_female)];
    if (t->family_first)
        snprintf(buf, n, "%s %s", fam, giv);
    else
        snprintf(buf, n, "%s %s", giv, fam);
}

void sim_passport(const char *nationality, uint64_t unique, struct sim_rng *r, char *buf,
                  size_t n)
{
    const char *pat = nats[sim_nationality_index(nationality)].passport;
    /* The first seven '9' slots carry the unique number, the rest are random. */
    char digits[8];
    snprintf(digits, sizeof digits, "%07llu",
             (unsigned long long)sim_scramble(unique, 7, 0x5ca1ab1eULL));
    size_t d = 0, o = 0;
    for (const char *p = pat; *p && o + 1 < n; p++) {
        if (*p == '9')
            buf[o++] = d < 7 ? digits[d++] : (char)('0' + sim_below(r, 10));
        else if (*p == 'A')
            buf[o++] = (char)('A' + sim_below(r, 26));
        else
            buf[o++] = *p;
    }
    buf[o] = '\0';
    assert(d == 7);
}
