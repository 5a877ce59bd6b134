"""Synthetic personal and demographic values for the Fashion Campus customer file.

Names, e-mail addresses and device ids are made up; they carry no information (the analysis
never needs them). Provinces come with an approximate centre and a population weight.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from churnlens.sources.synthetic import textio

FEMALE_NAMES = ("Putri", "Siti", "Dewi", "Ayu", "Rina", "Nur", "Sri", "Indah", "Fitri", "Dian", "Wulan",
                "Ratna", "Maya", "Intan", "Anisa", "Kartika", "Melati", "Citra", "Lia", "Nadia")  # fmt: skip
MALE_NAMES = ("Agus", "Budi", "Andi", "Dedi", "Eko", "Fajar", "Hendra", "Joko", "Rizky", "Yoga", "Bayu",
              "Dimas", "Arif", "Teguh", "Wahyu", "Reza", "Gilang", "Irfan", "Surya", "Taufik")  # fmt: skip
LAST_NAMES = ("Santoso", "Wijaya", "Pratama", "Saputra", "Hidayat", "Nugroho", "Kusuma", "Lestari", "Setiawan",
              "Putra", "Siregar", "Nasution", "Simanjuntak", "Halim", "Gunawan", "Rahman", "Hakim",
              "Purnomo", "Utami", "Hasibuan", "Wibowo", "Syahputra")  # fmt: skip
EMAIL_DOMAIN = "fashioncampus.example"

# province, latitude, longitude, weight (population, millions)
PROVINCES: tuple[tuple[str, float, float, float], ...] = (
    ("Jawa Barat", -6.9, 107.6, 48.3), ("Jawa Timur", -7.54, 112.24, 40.7), ("Jawa Tengah", -7.15, 110.14, 36.5),
    ("Sumatera Utara", 2.12, 99.55, 14.8), ("Banten", -6.4, 106.06, 11.9), ("Jakarta Raya", -6.2, 106.82, 10.6),
    ("Sulawesi Selatan", -3.67, 119.97, 9.1), ("Lampung", -4.56, 105.4, 9.0), ("Sumatera Selatan", -3.32, 104.91, 8.5),
    ("Riau", 0.29, 101.7, 6.4), ("Sumatera Barat", -0.74, 100.8, 5.5), ("Kalimantan Barat", -0.28, 111.48, 5.4),
    ("Nusa Tenggara Barat", -8.65, 117.36, 5.3), ("Nusa Tenggara Timur", -8.66, 121.08, 5.3),
    ("Aceh", 4.7, 96.75, 5.3), ("Bali", -8.34, 115.09, 4.3), ("Papua", -4.27, 138.08, 4.3),
    ("Kalimantan Selatan", -3.09, 115.28, 4.1), ("Kalimantan Timur", 0.54, 116.42, 3.8),
    ("Yogyakarta", -7.8, 110.36, 3.7), ("Jambi", -1.61, 103.61, 3.5), ("Sulawesi Tengah", -1.43, 121.45, 3.0),
    ("Kalimantan Tengah", -1.68, 113.38, 2.7), ("Sulawesi Utara", 0.62, 123.97, 2.6),
    ("Sulawesi Tenggara", -4.14, 122.17, 2.6), ("Kepulauan Riau", 3.95, 108.14, 2.1),
    ("Bengkulu", -3.79, 102.26, 2.0), ("Maluku", -3.24, 130.15, 1.8), ("Bangka Belitung", -2.74, 106.44, 1.5),
    ("Sulawesi Barat", -2.84, 119.23, 1.4), ("Maluku Utara", 1.57, 127.81, 1.3), ("Gorontalo", 0.7, 122.45, 1.2),
    ("Papua Barat", -1.34, 133.17, 1.1), ("Kalimantan Utara", 3.07, 116.04, 0.7),
)  # fmt: skip
IOS_VERSIONS = ("iPhone; CPU iPhone OS 12_4 like Mac OS X", "iPhone; CPU iPhone OS 13_3_1 like Mac OS X",
                "iPhone; CPU iPhone OS 14_2_1 like Mac OS X", "iPhone; CPU iPhone OS 15_0 like Mac OS X",
                "iPhone; CPU iPhone OS 15_4_1 like Mac OS X", "iPad; CPU OS 14_2 like Mac OS X")  # fmt: skip
ANDROID_VERSIONS = ("Android 2.2.1", "Android 4.4", "Android 5.0", "Android 6.0", "Android 7.1.1",
                    "Android 8.0.0", "Android 9", "Android 10", "Android 11", "Android 12")  # fmt: skip
#: Birth years are Normal(mean, sd) clipped to the real range.
BIRTH_YEAR_MEAN, BIRTH_YEAR_SD, BIRTH_YEAR_MIN, BIRTH_YEAR_MAX = 1995.0, 8.0, 1954, 2016


def province_choice(rng: np.random.Generator, n: int) -> np.ndarray:
    w = np.array([p[3] for p in PROVINCES])
    return rng.choice(len(PROVINCES), size=n, p=w / w.sum())


def province_location(
    rng: np.random.Generator, province: np.ndarray, spread: float
) -> tuple[np.ndarray, np.ndarray]:
    lat = np.array([p[1] for p in PROVINCES])[province] + rng.normal(0.0, spread, len(province))
    lon = np.array([p[2] for p in PROVINCES])[province] + rng.normal(0.0, spread, len(province))
    return lat, lon


def personal_columns(
    rng: np.random.Generator, customer_id: np.ndarray, female: np.ndarray, android: np.ndarray
) -> dict:
    """first_name, last_name, username, email, birthdate, device_id, device_version as text arrays."""
    n = len(customer_id)
    fem = rng.integers(0, len(FEMALE_NAMES), n)
    mal = rng.integers(0, len(MALE_NAMES), n)
    first = pc.if_else(
        pa.array(female), textio.take_text(FEMALE_NAMES, fem), textio.take_text(MALE_NAMES, mal)
    )
    last = textio.take_text(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n))
    email = pc.binary_join_element_wise(
        pc.utf8_lower(first), "_", pc.utf8_lower(last), "_", textio.ints(customer_id), "@", EMAIL_DOMAIN, ""
    )
    year = np.clip(np.rint(rng.normal(BIRTH_YEAR_MEAN, BIRTH_YEAR_SD, n)), BIRTH_YEAR_MIN, BIRTH_YEAR_MAX)
    year_start = np.array([np.datetime64(f"{int(y)}-01-01", "D").astype(np.int64) for y in range(1954, 2018)])
    y0 = year_start[(year - 1954).astype(int)]
    y1 = year_start[(year - 1954).astype(int) + 1]
    birth_day = y0 + (rng.random(n) * (y1 - y0)).astype(np.int64)
    ios = textio.take_text(IOS_VERSIONS, rng.integers(0, len(IOS_VERSIONS), n))
    andr = textio.take_text(ANDROID_VERSIONS, rng.integers(0, len(ANDROID_VERSIONS), n))
    return {
        "first_name": first,
        "last_name": last,
        "username": textio.uuid4(rng, n),
        "email": email,
        "birthdate": textio.iso_date(birth_day),
        "device_id": textio.uuid4(rng, n),
        "device_version": pc.if_else(pa.array(android), andr, ios),
    }
