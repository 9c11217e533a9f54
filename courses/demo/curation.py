"""The curated side of the demo catalogue: this year's 精品课程, one learning path (专题), learners' ratings
and one provider page waiting for the organisers' review (遴选).

Runs after the enterprise training demo (training/demo.py), whose workers completed the courses they
rate: a rating is only ever saved for a learner who completed the course (the rule of
courses.ratings). Keyed on titles, (learner, course) pairs and the page under review: a second run
creates nothing and costs a handful of queries.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings

from accounts.demo import ORGANISER, Report
from courses import ratings, review, services
from courses.models import (
    Course,
    CoursePage,
    CourseRating,
    FeaturedCourse,
    LearningPathPage,
    PathKind,
    ProviderMembership,
    featured_today,
)

# 精品课程: (course code, citation). The selection runs from a month ago for a year.
FEATURED = [
    (
        "SM-201",
        "紧扣工业机器人系统运维员国家职业标准，示教编程与故障处置的实操视频完整，企业班组使用反馈好。",
    ),
    ("IIOT-101", "以真实产线设备上云为主线，由浅入深讲清工业互联网平台的部署与应用，适合作为入门首选课程。"),
    ("SEC-101", "法律法规解读准确、案例新，配套测验覆盖《网络安全法》《数据安全法》要点，适合全员普及培训。"),
    ("AI-101", "零基础友好，行业应用案例覆盖质检、排产和设备运维，学员完成率和评价均居前列。"),
]
PATH = {
    "title": "数字技术工程师",
    "slug": "digital-technology-engineer",
    "theme": "数字技术工程师",
    "intro": (
        "<p>面向数字技术工程师培育项目：先掌握工业互联网平台的应用基础，再学习人工智能的行业应用，"
        "最后完成数字孪生工厂的建模与仿真。按顺序学完三门课程，即可获得专题结业证书。</p>"
    ),
    "courses": ["IIOT-101", "AI-101", "SM-301"],
}
# (user name, course code, score, comment): every rater completed the course in the demo.
RATINGS = [
    ("learner1", "IIOT-101", 5, "设备上云的案例和我们车间的情况很像，跟着做一遍就能上手。"),
    ("jg01", "IIOT-101", 4, "平台部署部分讲得很清楚，希望再增加一些数据采集故障的排查案例。"),
    ("jg03", "IIOT-101", 3, "内容偏基础，有现场经验的同事可以快速浏览第一章。"),
    ("jg02", "SEC-101", 5, "法律法规结合企业真实案例讲解，比看条文好理解得多。"),
    ("jg08", "SEC-101", 4, "课程不长，测验题和课程内容对应得好，适合全员学习。"),
    ("wx10", "SEC-101", 5, "信息中心同事一致推荐，数据分类分级那一节很实用。"),
    ("jg03", "SM-101", 4, "概念梳理得很系统，适合刚接触智能制造的同事。"),
    ("jg08", "SM-101", 5, "老师把MES、ERP和设备层的关系讲透了，对照厂里的系统一下就明白了。"),
    ("wx10", "IIOT-201", 4, "标识解析的原理讲得清楚，实操环境还可以再完善一些。"),
    ("wx11", "IIOT-201", 4, "二级节点对接的流程图很有用，已经分享给部门同事。"),
    ("zz03", "IC-101", 5, "从设计、制造到封测一条线讲下来，新员工入职学这门正合适。"),
    ("zz06", "IC-101", 4, "概念讲得通俗，如果能多一些车间实物图片就更好了。"),
    ("learner6", "NEV-201", 4, "电池检测流程讲得很细，适合售后维修岗位。"),
]
# One rating its course's provider hid: (user name, course code, score, comment, reason).
HIDDEN = (
    "jg05",
    "SEC-101",
    1,
    "需要考试资料的可以加我微信 jgzn2026 私聊，有偿提供。",
    "含联系方式和有偿推广内容，与课程评价无关",
)
# A change to a live course page that its untrusted provider's staff submitted for review.
UNDER_REVIEW = (
    "SW-301",
    "<h3>2027年版更新</h3><p>新增“基于CAE的轻量化设计”一章和两个汽车零部件仿真案例，"
    "并按新版国家职业标准调整了结业测验。</p>",
)


def _courses(codes) -> dict[str, Course]:
    return {c.code: c for c in Course.objects.filter(code__in=codes).select_related("provider", "final_quiz")}


def featured_ensure(report: Report, organiser) -> None:
    today = featured_today()
    title = f"{today.year}年度精品课程"
    if FeaturedCourse.objects.filter(title=title).exists():
        return
    courses = _courses([code for code, _citation in FEATURED])
    for position, (code, citation) in enumerate(FEATURED):
        pick = FeaturedCourse(
            course=courses[code],
            title=title,
            citation=citation,
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=365),
            position=position,
            selected_by=organiser,
        )
        pick.full_clean()
        pick.save()
        report.add("精品课程")


def path_ensure(report: Report) -> None:
    if LearningPathPage.objects.filter(slug=PATH["slug"]).exists():
        return
    courses = _courses(PATH["courses"])
    services.learning_path_create(
        title=PATH["title"],
        slug=PATH["slug"],
        theme=PATH["theme"],
        kind=PathKind.OCCUPATION,
        intro=PATH["intro"],
        courses=[courses[code] for code in PATH["courses"]],
    )
    report.add("学习专题")


def ratings_ensure(report: Report, organiser) -> None:
    wanted = [(u, code) for u, code, *_rest in [*RATINGS, HIDDEN]]
    rated = set(
        CourseRating.objects.filter(learner__username__in={u for u, _c in wanted}).values_list(
            "learner__username", "course__code"
        )
    )
    if all(pair in rated for pair in wanted):
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in={u for u, _c in wanted})}
    courses = _courses({code for _u, code in wanted})
    for username, code, score, comment in RATINGS:
        user = users.get(username)
        if user and (username, code) not in rated and ratings.may_rate(user, courses[code].pk):
            ratings.rating_save(learner=user, course=courses[code], score=score, comment=comment)
            report.add("课程评价")
    username, code, score, comment, reason = HIDDEN
    user = users.get(username)
    if user and (username, code) not in rated and ratings.may_rate(user, courses[code].pk):
        rating = ratings.rating_save(learner=user, course=courses[code], score=score, comment=comment)
        ratings.rating_hide(rating=rating, by=_provider_staff(courses[code]) or organiser, reason=reason)
        report.add("课程评价")


def _provider_staff(course: Course):
    membership = ProviderMembership.objects.filter(provider_id=course.provider_id).select_related("user")
    membership = membership.order_by("pk").first()
    return membership.user if membership else None


def review_ensure(report: Report) -> None:
    """A change to a live page, submitted for review by its provider's staff: the page stays public with
    its approved content while the change waits in the organisers' queue."""
    code, addition = UNDER_REVIEW
    page = CoursePage.objects.filter(course__code=code).select_related("course__provider").first()
    if page is None or page.workflow_states.exists():
        return
    staff = _provider_staff(page.course)
    if staff is None or page.course.provider.trusted:
        return
    page.body = f"{page.body}{addition}"
    page.save_revision(user=staff)  # the staff member's edit, a draft beside the live page
    # Wagtail e-mails the reviewers at once; for demo data that is only noise in seed_demo's output.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        outcome = review.page_go_live(page=page, user=staff, direct=False)
    if outcome == "submitted":
        report.add("待审核课程页")


@transaction.atomic
def curation_demo_seed(report: Report) -> None:
    organiser = get_user_model().objects.get(username=ORGANISER[0])
    featured_ensure(report, organiser)
    path_ensure(report)
    ratings_ensure(report, organiser)
    review_ensure(report)
